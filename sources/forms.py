"""Forms of the sources app: the admin's upload form for source documents."""

from django import forms

from sources.importers import FORMATS


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
    """Return ``(format, label)`` pairs, such as ``("html", "html (.html, .htm)")``, for every importer."""
    return sorted((name, f"{name} ({', '.join(module.EXTENSIONS)})") for name, module in FORMATS.items())


class ImportFilesForm(forms.Form):
    required_css_class = "required"

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

    def clean_publisher(self):
        return " ".join(self.cleaned_data["publisher"].split())
