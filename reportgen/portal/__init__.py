"""财政局门户：账户、单位树、提交、审核与签发（reportgen serve --accounts）。"""
