"""Coprod: co-design and participatory budgeting for councils and communities.

Kept free of imports so that the pure cores (`coprod.tally`, `coprod.plain`) start fast;
the web application is built by `coprod.factory.create_app`.
"""
