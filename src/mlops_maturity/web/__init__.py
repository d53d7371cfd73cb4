"""The web service: the organization's portfolio, project pages, the questionnaire in a browser,
administration, and the JSON API that CI uploads to.

Layout: `routes/` (HTTP only: parse, authorize through `deps`, render) → `services/` (what the
application does, each in one `Store.unit` transaction) → `store` repositories (the only SQL).
`app.create_app` builds the application; nothing is imported here, so the CLI stays fast.
"""
