"""A local web application in front of reportgen: upload → check → download (issue 9).

``create_app`` (``app.py``) builds the Starlette application; ``store.py`` keeps job
records in SQLite under the data dir; ``forms.py`` streams an upload into a staging
folder with every limit enforced while reading; ``uploads.py`` validates what was uploaded
before anything is written to a job; ``protocol.py`` is uvicorn's HTTP protocol with
deadlines for slow and idle clients. Documents are generated in worker processes, never
in the event loop.
"""
