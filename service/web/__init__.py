"""Server-rendered pages for staff and creators."""
