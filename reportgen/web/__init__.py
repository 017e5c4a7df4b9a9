"""A local web application in front of reportgen: upload → check → download (issue 9).

``create_app`` (``app.py``) builds the Starlette application; ``store.py`` keeps job
records in SQLite under the data dir; ``uploads.py`` validates what is uploaded before
anything is written. Documents are generated in worker processes, never in the event loop.
"""
