"""The editorial admin's forms: citation rows and claim set members, and the pages of the bulk actions.

Every form of the editorial app is the admin's, so they all live here; the public lists' and the
API's filters (``editorial.filters``, ``editorial.api.filters``) build their forms themselves.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect

from editorial import anchoring
from editorial.anchoring import ExcerptError
from editorial.models import Citation, ClaimSet, ClaimSetMembership
from sources.models import Revision, Source


class CitationInlineForm(forms.ModelForm):
    """A citation row of the claim page.

    The editor names the source, never a revision's database id: the row quotes the source's
    current revision, or the older one whose number is given. An editor may give only the source and
    the excerpt: ``Citation.clean()`` then locates the passage (leniently) and fills in the offsets,
    or reports an absent or ambiguous excerpt with its occurrences. ``prefix`` and ``suffix`` are not
    stored from the form (``save()`` derives them from the text); the citation picker fills them
    in, and when the offsets are blank they tell a repeated passage's occurrences apart.
    """

    # Set by ``CitationInline`` on its formset's form: the source is then searched as the admin's
    # other autocompletes are, through that site's Source admin (which needs ``search_fields``).
    admin_site = None

    source = forms.ModelChoiceField(
        queryset=Source.objects.select_related("current_revision").defer("current_revision__original"),
        help_text="The source quoted. Type to search titles, bylines and text.",
    )
    revision_number = forms.IntegerField(
        label="Revision",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
        help_text="Leave blank to quote the current revision; give a number to quote an older one.",
    )
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
        fields = ["excerpt", "start", "end", "note", "position"]
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
            self.fields["source"].initial = self.instance.revision.source_id
            self.fields["revision_number"].initial = self.instance.revision.number
        if self.admin_site is not None:
            source = self.fields["source"]
            # Revision.source is the foreign key the autocomplete view resolves to the Source admin.
            source.widget = AutocompleteSelect(
                Revision._meta.get_field("source"), self.admin_site, choices=source.choices
            )

    def clean(self):
        cleaned_data = super().clean()
        changed = set(self.changed_data)
        # A stored citation whose passage or revision was changed without touching its offsets is
        # located afresh; the old offsets would only point at the old passage.
        if self.instance.pk and changed & {"excerpt", "source", "revision_number"} and not changed & {"start", "end"}:
            cleaned_data["start"] = cleaned_data["end"] = None
        revision = self.chosen_revision(cleaned_data.get("source"), cleaned_data.get("revision_number"))
        if revision is not None:
            # Citation.clean() (run next, by the model form) locates the excerpt in this revision.
            self.instance.revision = revision
        excerpt = cleaned_data.get("excerpt")
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

    def chosen_revision(self, source, number):
        """Return ``source``'s revision ``number``, or its current one when ``number`` is blank.

        Return None, with the error on the field to correct, when there is no such revision.
        """
        if source is None:
            return None
        if number is None:
            if source.current_revision_id is None:
                self.add_error("source", f"“{source}” has no captured text yet; import it before citing it.")
            return source.current_revision
        revision = Revision.objects.filter(source=source, number=number).defer("original").first()
        if revision is None:
            numbers = list(Revision.objects.filter(source=source).order_by("number").values_list("number", flat=True))
            if not numbers:
                held = "it has no revisions yet"
            elif len(numbers) == 1:
                held = f"its only revision is {numbers[0]}"
            else:
                held = f"its revisions are {numbers[0]}–{numbers[-1]}"
            self.add_error("revision_number", f"“{source}” has no revision {number}; {held}.")
        return revision


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


class ClaimSetMembershipForm(forms.ModelForm):
    """A member row of the claim set page; a blank position puts the claim last."""

    class Meta:
        model = ClaimSetMembership
        fields = ["position", "claim", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = "Order in the set: 1 comes first. Left blank, the claim goes last."


def export_format_choices():
    """Return ``(name, label)`` for every export format, in ``EXPORTERS``' order."""
    from editorial.exports import EXPORTERS

    return [(name, getattr(module, "LABEL", name)) for name, module in EXPORTERS.items()]


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(
        choices=export_format_choices,
        widget=forms.RadioSelect,
        help_text="Only the published claims among those selected are exported, in their approved versions.",
    )


class AddToClaimSetForm(forms.Form):
    """Choose an existing set, or type the title of a new one; with an optional note for each claim."""

    claim_set = forms.ModelChoiceField(
        queryset=ClaimSet.objects.order_by("title", "pk"),
        required=False,
        label="Existing set",
        empty_label="— none: create a new set —",
    )
    new_title = forms.CharField(
        max_length=200, required=False, label="Or a new set titled", help_text="Created private; make it public later."
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        required=False,
        help_text="Stored as the note of each claim added (shown publicly with the claim in a public set).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned_data = super().clean()
        claim_set, title = cleaned_data.get("claim_set"), (cleaned_data.get("new_title") or "").strip()
        if "claim_set" in self.errors:
            return cleaned_data
        if claim_set is None and not title:
            raise forms.ValidationError("Choose a set, or type the title of a new one.")
        if claim_set is not None and title:
            raise forms.ValidationError("Choose a set or type a new title, not both.")
        if claim_set is not None and not self.user.has_perm("editorial.change_claimset"):
            raise forms.ValidationError("You may not change claim sets; type the title of a new set instead.")
        if title and not self.user.has_perm("editorial.add_claimset"):
            raise forms.ValidationError("You may not create claim sets; choose an existing set instead.")
        cleaned_data["new_title"] = title
        return cleaned_data

    def chosen_set(self):
        """Return ``(claim_set, created)``: the chosen set, or a new private one curated by the user."""
        if self.cleaned_data["claim_set"] is not None:
            return self.cleaned_data["claim_set"], False
        return ClaimSet.objects.create(title=self.cleaned_data["new_title"], curator=self.user), True
