"""Forms of the sources app: the admin's upload form for source documents."""

import importlib
import pkgutil

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that lets the browser pick several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field whose cleaned value is a list of uploaded files (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single_file_clean(item, initial) for item in data]
        return [single_file_clean(data, initial)] if data or self.required else []


def importer_formats():
    """Return ``(format, label)`` pairs for every importer module in ``sources.importers``.

    The modules are discovered rather than listed so that a new importer shows up in the form
    without touching it.
    """
    import sources.importers as package

    formats = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_") or module_info.name == "base":
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        name = getattr(module, "FORMAT", None)
        if not name or not callable(getattr(module, "parse", None)):
            continue
        extensions = ", ".join(getattr(module, "EXTENSIONS", ()))
        formats[name] = f"{name} ({extensions})" if extensions else name
    return sorted(formats.items())


class ImportFilesForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="One or more documents. Each is imported on its own; a failure does not stop the others.",
        # An empty file is reported by the importer like any other unreadable file, by name,
        # instead of failing the whole form.
        allow_empty_file=True,
    )
    format = forms.ChoiceField(
        required=False,
        help_text="Leave on “by file extension” unless a file's name does not say what it is.",
    )
    publisher = forms.CharField(
        required=False,
        max_length=200,
        help_text="Publisher name for documents that do not name one themselves (plain text files usually don't).",
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Dry run",
        help_text="Read and check the files, report what would happen, and save nothing.",
    )

    def __init__(self, *args, publisher_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", "By file extension"), *importer_formats()]
        self.fields["publisher"].widget.attrs["list"] = "publisher-names"
        self.publisher_names = list(publisher_names)
        self.max_bytes = settings.IMPORT_MAX_BYTES

    def clean_publisher(self):
        return " ".join(self.cleaned_data["publisher"].split())

    @property
    def max_size_label(self):
        return filesizeformat(self.max_bytes)
