"""Where production's static files come from: WhiteNoise's compressed, hashed files (`collectstatic`), with the
relative `import` paths of JavaScript modules rewritten to the hashed names (Django's own rewriting, off by default),
so that a module loaded by a page loads the modules it imports by their hashed names too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
