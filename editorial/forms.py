"""Forms of the editorial admin: citation rows, and the note that goes with a workflow transition."""

from django import forms

from editorial import anchoring
from editorial.anchoring import ExcerptError
from editorial.models import Citation


class CitationInlineForm(forms.ModelForm):
    """A citation row of the claim page.

    An editor may give only the revision and the excerpt: ``Citation.clean()`` then locates the
    passage (leniently) and fills in the offsets, or reports an absent or ambiguous excerpt with its
    occurrences. ``prefix`` and ``suffix`` are not stored from the form (``save()`` derives them
    from the text); the citation picker fills them in, and when the offsets are blank they tell a
    repeated passage's occurrences apart.
    """

    prefix = forms.CharField(
        label="Text before",
        required=False,
        strip=False,
        max_length=anchoring.CONTEXT_LENGTH,
        help_text="Up to 32 characters just before the excerpt, to tell repeated passages apart. Derived on save.",
    )
    suffix = forms.CharField(
        label="Text after",
        required=False,
        strip=False,
        max_length=anchoring.CONTEXT_LENGTH,
        help_text="Up to 32 characters just after the excerpt. Derived on save.",
    )

    class Meta:
        model = Citation
        fields = ["revision", "excerpt", "start", "end", "note", "position"]
        widgets = {
            "excerpt": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "note": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }
        help_texts = {
            "start": "Code-point offset of the first character; leave start and end blank to locate the excerpt.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["prefix"].initial = self.instance.prefix
            self.fields["suffix"].initial = self.instance.suffix

    def clean(self):
        cleaned_data = super().clean()
        changed = set(self.changed_data)
        # A stored citation whose passage or revision was changed without touching its offsets is
        # located afresh; the old offsets would only point at the old passage.
        if self.instance.pk and changed & {"excerpt", "revision"} and not changed & {"start", "end"}:
            cleaned_data["start"] = cleaned_data["end"] = None
        revision, excerpt = cleaned_data.get("revision"), cleaned_data.get("excerpt")
        prefix, suffix = cleaned_data.get("prefix") or "", cleaned_data.get("suffix") or ""
        offsets_blank = cleaned_data.get("start") is None and cleaned_data.get("end") is None
        if revision is not None and excerpt and offsets_blank and (prefix.strip() or suffix.strip()):
            try:
                match = anchoring.locate_excerpt(revision.text, excerpt, prefix=prefix, suffix=suffix)
            except ExcerptError:
                # Without the context the passage may still be found once; if not, the model's
                # clean() reports it with every occurrence.
                pass
            else:
                cleaned_data["start"], cleaned_data["end"], cleaned_data["excerpt"] = match
        return cleaned_data


class TransitionNoteForm(forms.Form):
    """The note a moderator or editor gives with a workflow transition (required for some)."""

    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        field = self.fields["note"]
        if transition.note_prompt:
            field.required = True
            field.help_text = f"Required: {transition.note_prompt}. It is recorded in each claim's moderation log."
            field.error_messages["required"] = (
                f"A note is required to {transition.verb} claims: {transition.note_prompt}."
            )
        else:
            field.help_text = "Optional. It is recorded in each claim's moderation log."
