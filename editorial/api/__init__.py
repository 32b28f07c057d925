"""The read-only public API (Django REST framework, OpenAPI schema by drf-spectacular).

Included under ``/api/`` by ``config/urls.py``. Like the public pages, it reads claims only through
``Claim.objects.published()`` and renders each claim's approved public version, never live fields.
"""
