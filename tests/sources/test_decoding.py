import codecs
import random

import pytest

from sources.importers.base import ImportProblem
from sources.textutils import decode, decode_as, decode_document, normalise_text

WESTERN = "Harbour master’s “final” warning — café owners reply.\n\nÅse and Zoë were not consulted."


def test_decode_reads_utf8_without_warnings():
    assert decode(WESTERN.encode("utf-8"), "a.txt") == (WESTERN, "utf-8", [])


def test_decode_strips_the_utf8_byte_order_mark():
    text, encoding, warnings = decode(codecs.BOM_UTF8 + WESTERN.encode("utf-8"), "a.txt")
    assert text == WESTERN
    assert encoding == "utf-8"
    assert warnings == []


def test_decode_reads_windows_1252_and_warns_naming_the_encoding():
    text, encoding, warnings = decode(WESTERN.encode("cp1252"), "a.txt")
    assert text == WESTERN
    assert encoding == "windows-1252"
    assert warnings == ["decoded as windows-1252, not UTF-8"]


def test_decode_reads_a_short_latin_text_as_windows_1252():
    text, _encoding, warnings = decode("Café".encode("cp1252"), "a.txt")
    assert text == "Café"
    assert warnings == ["decoded as windows-1252, not UTF-8"]


def test_decode_detects_cyrillic_windows_1251():
    original = "Минск и Москва подписали соглашение о военном сотрудничестве на пять лет."
    text, encoding, warnings = decode(original.encode("cp1251"), "a.txt")
    assert text == original
    assert encoding == "windows-1251"
    assert "windows-1251" in warnings[0]


def test_decode_reads_utf16_with_a_byte_order_mark():
    text, _encoding, warnings = decode("\ufeffPlain words".encode("utf-16-le"), "a.txt")
    assert text == "Plain words"
    assert warnings == ["decoded as UTF-16, not UTF-8"]


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  \r\n"])
def test_decode_refuses_an_empty_file(data):
    with pytest.raises(ImportProblem, match=r"^empty file$"):
        decode(data, "a.txt")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"Title\n\nSome text\x00with a NUL byte in it",
        bytes(range(1, 32)) * 20,
    ],
    ids=["pdf", "zip", "png", "nul", "control-characters"],
)
def test_decode_refuses_binary_files(data):
    with pytest.raises(ImportProblem, match=r"^binary file, not text"):
        decode(data, "a.txt")


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_decode_refuses_bytes_no_encoding_reads_sensibly(seed):
    # Printable-looking noise: no NUL or control bytes, but not text in any encoding.
    rng = random.Random(seed)
    pool = [byte for byte in range(0x20, 0x100) if byte != 0x7F]
    data = bytes(rng.choice(pool) for _ in range(2000))
    with pytest.raises(ImportProblem, match=r"^cannot decode the text"):
        decode(data, "a.txt")


def test_decode_refuses_the_upper_half_of_the_byte_table():
    with pytest.raises(ImportProblem, match=r"^cannot decode the text"):
        decode(bytes(range(0x80, 0x100)) * 4, "a.txt")


def test_normalise_text_separates_paragraphs_by_exactly_one_blank_line():
    raw = "\n\n  \nFirst line   \r\nsame paragraph\t\r\n\r\n\r\n\r\nSecond\r\rThird\n   \n\n"
    assert normalise_text(raw) == "  \nFirst line\nsame paragraph\n\nSecond\n\nThird".lstrip(" \n")


def test_normalise_text_composes_to_nfc_and_keeps_typography():
    raw = "Cafe\u0301 “quoted” – dash — dash ’apostrophe’ 𝔅 😀"
    assert normalise_text(raw) == "Café “quoted” – dash — dash ’apostrophe’ 𝔅 😀"


def test_normalise_text_keeps_leading_indentation_inside_the_text():
    assert normalise_text("Para\n\n    code block\n") == "Para\n\n    code block"


# UTF-8 with a few bad bytes

CAFE = "café\n\nLe patron du café a parlé aux journalistes mardi.\n\n"


def test_decode_reads_utf8_with_two_bad_bytes_as_utf8_and_names_them():
    # Decoded whole as ISO-8859-4 before: the title became "cafÃŠ".
    data = CAFE.encode("utf-8") + b"Des mots \xff\xfe ici.\n"

    text, encoding, warnings = decode(data, "a.txt")

    assert text == CAFE + "Des mots \ufffd\ufffd ici.\n"
    assert encoding == "utf-8"
    assert warnings == [
        "2 bytes are not valid UTF-8 and were replaced by U+FFFD (�): "
        "line 5 (byte offset 69: 0xff); line 5 (byte offset 70: 0xfe)"
    ]


def test_decode_names_the_first_bad_bytes_and_counts_the_others():
    lines = [f"Ligne {number} : le café « {number} » est fermé.\n" for number in range(1, 201)]
    for number in range(0, 160, 20):
        lines[number] = lines[number].replace("fermé", "ferm\udce9")  # the byte 0xe9 alone
    data = "".join(lines).encode("utf-8", "surrogateescape")

    text, encoding, [warning] = decode(data, "a.txt")

    assert encoding == "utf-8"
    assert text.count("\ufffd") == 8
    assert warning.startswith("8 bytes are not valid UTF-8 and were replaced by U+FFFD (�): line 1 (byte offset ")
    assert [place.split(" (")[0] for place in warning.split(": ", 1)[1].split("; ")] == [
        "line 1",
        "line 21",
        "line 41",
        "line 61",
        "line 81",
        "3 more",
    ]


def test_decode_reads_utf8_with_a_byte_order_mark_and_a_bad_byte():
    text, encoding, warnings = decode(codecs.BOM_UTF8 + b"Title\n\nA caf\xe9 text.", "a.txt")
    assert text == "Title\n\nA caf\ufffd text."
    assert encoding == "utf-8"
    assert warnings == ["1 byte is not valid UTF-8 and was replaced by U+FFFD (�): line 3 (byte offset 15: 0xe9)"]


def test_decode_still_reads_ascii_with_a_few_windows_1252_characters_as_windows_1252():
    # Without valid multi-byte characters, nothing says the file is UTF-8: its curly quotes are
    # windows-1252's.
    original = "The mayor’s office said the repairs would start in spring. " * 40
    text, encoding, _warnings = decode(original.encode("cp1252"), "a.txt")
    assert (text, encoding) == (original, "windows-1252")


# Preferring the encodings news text comes in


def test_a_short_windows_1252_english_text_with_u_umlaut_in_the_title_is_read_as_windows_1252():
    # Read as the DOS Baltic code page cp775 before: "Zürich" became "Z³rich".
    original = "Müller named harbour master in Zürich\n\nThe council met on Tuesday."
    decoded = decode_document(original.encode("cp1252"), "a.txt")
    assert decoded.text == original
    assert decoded.encoding == "windows-1252"
    assert decoded.confidence >= 0.9


@pytest.mark.parametrize(
    ("original", "codec", "label"),
    [
        ("Die Brücke kostet 40.000 € mehr, sagte die Bürgermeisterin.", "iso8859_15", "ISO-8859-15"),
        ("Rząd przyjął ustawę. Minister powiedział, że źródła finansowania są pewne.", "iso8859_2", "ISO-8859-2"),
        ("Vláda schválila rozpočet. Šťastný Žďár, řekl ministr.", "cp1250", "windows-1250"),
        ("Правительство приняло бюджет, сказал министр.", "koi8_r", "KOI8-R"),
        ("Vyriausybė priėmė biudžetą. Šiaulių ūkininkai džiaugiasi.", "iso8859_13", "ISO-8859-13"),
        ("政府は予算を承認した。大臣は収入が増えると述べた。", "shift_jis", "Shift_JIS"),
        ("政府批准了预算。部长说明年的收入将会增加。", "gb18030", "GB18030"),
        ("정부가 예산을 승인했다. 장관은 수입이 늘어날 것이라고 말했다.", "euc_kr", "EUC-KR"),
    ],
)
def test_decode_picks_the_news_encoding_whose_text_reads_as_a_language(original, codec, label):
    decoded = decode_document(original.encode(codec), "a.txt")
    assert (decoded.text, decoded.encoding) == (original, label)
    assert 0 < decoded.confidence <= 1


def test_two_equally_plausible_readings_halve_the_confidence():
    # "Åse" reads as "Ĺse" in windows-1250, as plausibly: windows-1252 is preferred, with doubt.
    decoded = decode_document(WESTERN.encode("cp1252"), "a.txt")
    assert decoded.encoding == "windows-1252"
    assert decoded.confidence <= 0.5


def test_utf8_is_read_with_full_confidence():
    assert decode_document(WESTERN.encode("utf-8")).confidence == 1.0


def test_decode_as_reads_the_encoding_an_editor_names():
    decoded = decode_as("Zürich".encode("cp1252"), "windows-1250")
    assert (decoded.text, decoded.encoding) == ("Zürich", "windows-1250")


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("no-such-encoding", "unknown encoding “no-such-encoding”"),
        ("base64", "unknown encoding “base64”"),
        ("Shift_JIS", "the original is not valid Shift_JIS: byte 0xfc at offset 1"),
        ("utf-8", "the original is not valid utf-8: byte 0xfc at offset 1"),
        ("ascii", "the original is not valid ascii: byte 0xfc at offset 1"),
    ],
)
def test_decode_as_refuses_an_encoding_that_cannot_read_the_bytes(encoding, message):
    with pytest.raises(ImportProblem, match=f"^{message}"):
        decode_as("Zürich: Müller, Bär und Öhler".encode("cp1252"), encoding)
