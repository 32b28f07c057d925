"""The Django project: settings, the root URLconf, the WSGI and ASGI entry points and the admin site.

The apps live beside it: ``sources`` (documents and their revisions) and ``editorial`` (claims).
"""
