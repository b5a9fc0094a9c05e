"""Static site generator for a company-event knowledge base.

The pipeline reads as the module names do:
``loader`` (YAML files to positioned nodes) → ``validate`` (records and
cross-record rules to diagnostics) → ``model`` (the whole knowledge base) →
``render`` (Jinja templates to Markdown pages) → ``write`` (the generated
docs folder) → ``site`` (the MkDocs build, swapped in atomically).
"""

__version__ = "0.1.0"
