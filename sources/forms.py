"""Forms of the sources app: the admin's upload form for source documents, and its form for reading
a revision's original again in another encoding."""

import codecs

from django import forms

from sources.importers import FORMATS
from sources.textutils import is_text_encoding


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


# The encodings offered first when an editor reads an original again (any Python codec name works).
SUGGESTED_ENCODINGS = [
    "utf-8",
    "windows-1252",
    "ISO-8859-1",
    "ISO-8859-15",
    "windows-1250",
    "ISO-8859-2",
    "windows-1251",
    "KOI8-R",
    "ISO-8859-13",
    "windows-1257",
    "Shift_JIS",
    "GB18030",
    "EUC-KR",
]


class RereadForm(forms.Form):
    """Read a revision's original file again in an encoding the editor names."""

    required_css_class = "required"

    encoding = forms.CharField(
        max_length=40,
        help_text="The encoding the file is really in, such as windows-1252 or ISO-8859-2.",
    )
    reason = forms.CharField(
        max_length=300,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Why: recorded on the new revision (e.g. “ü in the headline read as ³”).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["encoding"].widget.attrs["list"] = "encoding-names"
        self.suggested_encodings = SUGGESTED_ENCODINGS

    def clean_encoding(self):
        encoding = self.cleaned_data["encoding"].strip()
        try:
            if not is_text_encoding(codecs.lookup(encoding)):
                raise LookupError(encoding)
        except (LookupError, ValueError):
            raise forms.ValidationError(
                "Unknown encoding “%(encoding)s”; choose one of the list, such as windows-1252.",
                code="unknown_encoding",
                params={"encoding": encoding},
            ) from None
        return encoding
