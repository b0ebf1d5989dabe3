"""The JSON contracts between pipeline stages (``analysis.json``, ``arrangement.json``).

Times are in seconds unless a field name says ``beat``; pitches are MIDI note
numbers (60 = middle C, fractional where measured); frequencies are in Hz.
Both documents carry ``schema_version`` so a consumer can refuse what it does
not understand.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

ANALYSIS_SCHEMA_VERSION = "2"
ARRANGEMENT_SCHEMA_VERSION = "2"
# Version 1 documents (before downbeats, pickup and the hum -> song time map) are still read:
# every field added in version 2 has a default, and consumers fall back where it is missing.

PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


SongTempoBpm = Annotated[float, Field(gt=20.0, lt=320.0)]   # a hum's or song's tempo (BPM) the contracts take
_SONG_TEMPO = TypeAdapter(SongTempoBpm)


def song_tempo_or_none(bpm) -> float | None:
    """``bpm`` (a number or its text) as a :data:`SongTempoBpm`, or None where it is none (0, None, other
    text, out of range)."""
    try:
        return _SONG_TEMPO.validate_python(bpm)
    except ValidationError:
        return None


class Style(str, Enum):
    POP = "pop"
    ROCK = "rock"
    JAZZ = "jazz"
    ELECTRONIC = "electronic"
    ACOUSTIC = "acoustic"
    HIP_HOP = "hip-hop"

    @classmethod
    def from_text(cls, text: str | None) -> "Style | None":
        """Parse a caller's choice ("Jazz", "hiphop", "hip hop", "3") or return None."""
        if text is None:
            return None
        cleaned = text.strip().lower().replace(" ", "-").replace("_", "-")
        if cleaned in {"hiphop", "rap"}:
            cleaned = "hip-hop"
        if cleaned.isdigit():
            order = list(cls)
            idx = int(cleaned) - 1
            return order[idx] if 0 <= idx < len(order) else None
        for style in cls:
            if style.value == cleaned:
                return style
        return None


class Key(Contract):
    """A key: ``tonic_pc`` is the pitch class (0 = C … 11 = B)."""

    tonic_pc: int = Field(ge=0, le=11)
    mode: Literal["major", "minor"]
    confidence: float = Field(ge=0.0, le=1.0)

    @property
    def tonic(self) -> str:
        return PITCH_CLASS_NAMES[self.tonic_pc]

    @property
    def name(self) -> str:
        return f"{self.tonic} {self.mode}"


class F0Track(Contract):
    """Frame-level fundamental frequency: frame ``i`` is at ``i * hop_s`` seconds.

    ``hz[i]`` is 0.0 where the frame is unvoiced; ``confidence[i]`` is in [0, 1].
    """

    hop_s: float = 0.01
    hz: list[float]
    confidence: list[float]


class Note(Contract):
    """A sung note: onset/offset in seconds, ``midi`` fractional (measured pitch against the singer's own
    tuning around the note: rounding it names the semitone sung; the f0 track keeps the raw pitch)."""

    onset_s: float = Field(ge=0.0)
    offset_s: float = Field(gt=0.0)
    midi: float = Field(gt=0.0, lt=128.0)
    confidence: float = Field(ge=0.0, le=1.0)


class LyricWord(Contract):
    word: str
    start_s: float
    end_s: float


class Lyrics(Contract):
    """Lyrics heard in the recording; ``source="none"`` means none were transcribed."""

    source: Literal["whisper", "none"] = "none"
    text: str = ""
    language: str | None = None
    words: list[LyricWord] = []


class Mood(Contract):
    """Simple descriptors: ``energy`` in [0, 1] (loudness + note rate), tempo class."""

    energy: float = Field(ge=0.0, le=1.0)
    tempo_class: Literal["slow", "medium", "fast"]
    tags: list[str] = []


class TimeSignature(Contract):
    """Beats per bar (``numerator``) and the beat's note value (``denominator``: 4 = quarter).

    6/8 (and 9/8, 12/8) are compound: the felt beat is a dotted quarter (three eighths)."""

    numerator: int = Field(default=4, ge=1, le=16)
    denominator: int = Field(default=4, ge=1, le=16)

    @property
    def compound(self) -> bool:
        return self.denominator == 8 and self.numerator % 3 == 0 and self.numerator > 3

    @property
    def beats_per_bar(self) -> int:
        """Felt beats per bar: 2 in 6/8, else the numerator."""
        return self.numerator // 3 if self.compound else self.numerator

    @property
    def quarters_per_beat(self) -> float:
        """Quarter notes per felt beat: 1.5 (dotted quarter) in compound time, else 4 / denominator."""
        return 1.5 if self.compound else 4.0 / self.denominator

    @property
    def text(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    @classmethod
    def from_text(cls, text: str | None) -> "TimeSignature | None":
        """A meter a caller can name ("3/4", "waltz", "2/4", "4/4", "6/8"; :data:`CALLER_METERS`), or None."""
        cleaned = (text or "").strip().lower()
        cleaned = METER_WORDS.get(cleaned, cleaned)
        if cleaned not in CALLER_METERS:
            return None
        numerator, denominator = cleaned.split("/")
        return cls(numerator=int(numerator), denominator=int(denominator))


CALLER_METERS = ("2/4", "3/4", "4/4", "6/8")
"""The meters the rhythm analysis reads, which a caller may also name for a new version."""
AS_HUMMED = "hummed"
"""The meter of a new version asked for as the hum was read (not the previous version's)."""
METER_WORDS = {"waltz": "3/4"}
"""Words a caller may text for a meter, and the meter each names."""
BAR_SHIFT_CHOICES = tuple(str(beats) for beats in range(8))
"""The hum's beats a caller may move bar 1 later than it was read (the web app's choice; modulo the song bar, which
holds up to eight of them: a 4/4 or 2/4 hum at half time)."""


CallCondition = Literal["started_again", "sang_again", "talked_between", "paused_between", "background_voices",
                        "background_noise", "room_echo", "quiet_voice", "dropouts"]
"""What a call's line or room added to the hum (:class:`CallQuality`), most costly to the notes first, after
whether the caller stopped and started the tune again (the song is then of the last take only), stopped and sang a
bit of it again (the song keeps the second go), stopped to talk between two parts of it (the song carries the tune
on across their words) or fell silent there, out of the tune's time (the song closes the gap). A recording so quiet
that it was raised to be heard (``quiet_voice``: it costs few notes now, but the next call is better closer) comes
before ``dropouts``: through mu-law a quiet hum's silences are quantised to exact zeros, which read as lost audio."""
CALL_CONDITIONS: tuple[CallCondition, ...] = ("started_again", "sang_again", "talked_between", "paused_between",
                                              "background_voices", "background_noise", "room_echo", "quiet_voice",
                                              "dropouts")
CALL_TIPS: dict[CallCondition, str] = {
    "started_again": "You started your tune again partway through, so the song uses your last take.",
    "sang_again": "You sang a bit of your tune again, so the song keeps your second go at it.",
    "talked_between": "You stopped to talk partway through, so the song leaves your words out and carries your "
                      "tune on.",
    "paused_between": "You paused partway through, so the song closes the gap and carries your tune on.",
    "background_voices": "We heard voices in the background; a quiet room keeps them out of your melody.",
    "background_noise": "Your call was noisy; a quieter spot gives cleaner notes.",
    "room_echo": "Your call sounded like a speakerphone; hum close to the phone for cleaner notes.",
    "quiet_voice": "We could barely hear you; hum close to the phone, or a little louder, next time.",
    "dropouts": "Your line cut out for a moment, so a note may be missing; a stronger signal helps.",
}
"""What to tell a caller for each condition (the SMS names the first, the track page all)."""
CALL_NEWS: frozenset[CallCondition] = frozenset({"started_again", "sang_again", "talked_between", "paused_between"})
"""Readings that tell the caller what was done with their call, not a tip for the next one (no "Tip:" in the SMS)."""


def told_call_conditions(conditions: list[str] | None) -> list[CallCondition]:
    """The ``conditions`` a caller can be told (:data:`CALL_TIPS`), in order; a reading this code cannot name
    (written by a newer version) is left out."""
    return [c for c in conditions or [] if c in CALL_TIPS]


class CallQuality(Contract):
    """How the call sounded around the caller's notes (``analysis.json``'s ``call``), read by
    :func:`humitout.audio.call_quality.read_call`: tips for the next call, never a reason to refuse one.
    Added within version 2: documents written before it read as nothing heard."""

    conditions: list[CallCondition] = []  # in CALL_CONDITIONS order
    voice_to_background_db: float | None = None  # the notes' median level over the level away from them (dB)
    background_voices_s: float = Field(default=0.0, ge=0.0)  # s of pitched sound away from the caller's notes
    dropouts: int = Field(default=0, ge=0)  # runs of audio the line lost inside the hum
    started_again_s: float | None = None  # recording s where the take the song uses starts, when the caller
    # stopped, said so and started the tune again (``started_again``)


class Analysis(Contract):
    """``analysis.json``: what the Transcribe stage heard.

    ``tempo_bpm`` is in quarter notes per minute (the mean over the tracked beats). ``beats_s``
    are the tracked beats of the notated meter (quarter notes in 2/4, 3/4, 4/4; dotted quarters
    in 6/8), following the singer's rubato; ``downbeats_s`` are the bar starts among them;
    ``pickup_beats`` is how many beats the first note comes before the first downbeat (a bar or more only
    after a caller moved bar 1 by whole bars of a 2/4 hum, "shift": see ``bars_moved``). Each
    decision has a confidence in [0, 1]."""

    schema_version: Literal["1", "2"] = ANALYSIS_SCHEMA_VERSION
    sample_rate_hz: int
    duration_s: float
    voiced_s: float
    f0: F0Track
    notes: list[Note]
    tempo_bpm: SongTempoBpm
    beats_s: list[float]
    downbeats_s: list[float] = []  # empty in version 1 documents
    pickup_beats: float = Field(default=0.0, ge=0.0)
    key: Key
    time_signature: TimeSignature = TimeSignature()  # 2/4, 3/4, 4/4 or 6/8
    beat_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    meter_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    downbeat_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    lyrics: Lyrics = Lyrics()
    mood: Mood
    call: CallQuality = CallQuality()
    warnings: list[str] = []
    breaks_s: list[tuple[float, float]] = []  # spans (start, end; s) of the recording the song leaves out, where the
    # caller broke off between two parts of the hum to talk ("And then it goes like this") or fell silent out of the
    # tune's time: from where the tune would have gone on to the onset of the note after. The beats run on across each as one long beat, as if the
    # tune had gone on; your-hum.wav leaves the words out. Added within version 2: documents before it have none


SongLength = Literal["short", "normal", "long"]
"""How long the caller wants the song: about 25-50 s, 60-90 s or 110-170 s."""

SectionName = Literal["intro", "verse", "pre-chorus", "chorus", "bridge", "outro", "repeat", "ending"]
"""Song sections; "repeat" and "ending" are the names of arrangements made before song forms."""


class Section(Contract):
    """A named span of the song in whole bars (bar 0 is the first bar)."""

    name: SectionName
    start_bar: int = Field(ge=0)
    bars: int = Field(ge=1)


class Chord(Contract):
    """A chord starting at ``start_beat`` (quarter notes from song start)."""

    start_beat: float = Field(ge=0.0)
    duration_beats: float = Field(gt=0.0)
    symbol: str  # e.g. "C", "Am7", "G7/B"
    root_pc: int = Field(ge=0, le=11)
    quality: str  # "maj", "min", "7", "maj7", "min7", "dim", "sus4", ...
    pitches: list[int]  # MIDI numbers of a close-position voicing
    roman: str = ""  # e.g. "V7/ii" relative to the arrangement key


class NoteEvent(Contract):
    """One MIDI note of a part, in beats (quarter notes) from song start."""

    start_beat: float = Field(ge=0.0)
    duration_beats: float = Field(gt=0.0)
    pitch: int = Field(ge=0, le=127)
    velocity: int = Field(ge=1, le=127)


PartName = Literal["drums", "bass", "chords", "pad", "melody"]


class Part(Contract):
    """One instrument track. ``program`` is a 0-based GM program (ignored for drums)."""

    name: PartName
    program: int = Field(ge=0, le=127)
    is_drum: bool = False
    level_db: float = Field(le=6.0, ge=-60.0)
    pan: float = Field(ge=-1.0, le=1.0, default=0.0)
    pattern: str = ""  # name of the style pattern that produced the notes
    notes: list[NoteEvent]


class AgentDecision(Contract):
    """Who decided what and why; ``source`` says if an LLM or the rules answered."""

    agent: str
    decision: str
    reason: str
    source: Literal["llm", "rules"]


class TimePoint(Contract):
    """One point of the hum -> song time map: a tracked beat of the hum at ``hum_s`` seconds of the
    recording sits at ``song_beat`` (quarter notes from the song start)."""

    hum_s: float
    song_beat: float


class HumReading(NamedTuple):
    """How the hum of a session's newest track was read and played (its ``generation_params``): the hum's meter
    ("2/4", named by the caller or not; the song's time signature for a track made before it was recorded; None
    before the first track), the beats the caller moved bar 1 ("shift", 0 when not moved), the song's time
    signature and tempo (BPM; None before the first track), its song beats per hum beat (1 for a track made before
    it was recorded) and the song tempo the caller asked for ("half", "double"; None: the style's)."""

    meter: str | None = None
    bar_shift: int = 0
    song_meter: str = "4/4"
    tempo_bpm: float | None = None
    beat_ratio: float = 1.0
    asked_tempo_bpm: float | None = None

    @classmethod
    def from_params(cls, params: dict) -> "HumReading":
        """The reading of a track's ``generation_params``."""
        return cls(meter=params.get("hum_meter") or params.get("time_signature"),
                   bar_shift=int(params.get("bar_shift_beats") or 0), song_meter=params.get("time_signature") or "4/4",
                   tempo_bpm=params.get("tempo_bpm"), beat_ratio=float(params.get("beat_ratio") or 1.0),
                   asked_tempo_bpm=params.get("asked_tempo_bpm"))

    @property
    def song_bar_quarters(self) -> int:
        """Quarter notes per bar of the song (4/4: 4; 3/4 and 6/8: 3)."""
        song = TimeSignature.from_text(self.song_meter) or TimeSignature()
        return round(song.numerator * 4 / song.denominator)


class Arrangement(Contract):
    """``arrangement.json``: everything Render needs, fully expanded to note events.

    ``time_map`` (version 2) maps the recording's sung note onsets (and the tracked beats before
    the first and after the last note) onto the song's steady grid (piecewise linear between the
    points); Render flexes the caller's hum with it."""

    schema_version: Literal["1", "2"] = ARRANGEMENT_SCHEMA_VERSION
    style: Style
    tempo_bpm: SongTempoBpm
    key: Key
    time_signature: TimeSignature = TimeSignature()
    hum_meter: TimeSignature | None = None  # the meter the hum was read in, or the one the caller named (2/4: 4/4 song)
    bar_shift_beats: int = Field(default=0, ge=0)  # beats the caller moved bar 1 later than it was read ("shift")
    beat_ratio: float = Field(default=1.0, gt=0.0)  # song beats per beat of the hum (1, 2 or 1/2): the song's tempo
    # is the hum's times it, the melody at the hum's speed
    asked_tempo_bpm: SongTempoBpm | None = None  # the song tempo the caller asked for
    # ("half", "double"); None: the style's choice
    total_bars: int = Field(ge=1)
    sections: list[Section]
    chords: list[Chord]
    melody_offset_beats: float = 0.0  # where the hum's first beat sits in the song
    time_map: list[TimePoint] = []  # empty in version 1 documents
    parts: list[Part]
    lyrics: str = ""
    rationale: list[AgentDecision] = []
    swing: float = Field(default=0.0, ge=0.0, lt=1.0)  # shared by every accompanying part
    swing_unit_beats: float = Field(default=0.5, gt=0.0)  # 0.5: 8th-note swing, 0.25: 16th-note swing
    variation_seed: int = 0  # the seed of every random choice: "again" by SMS gives another
    length: SongLength = "normal"  # the song length the caller asked for
    call_conditions: list[CallCondition] = []  # how the hum's call sounded (Analysis.call): the caller's tips
    hum_span_s: tuple[float, float] | None = None  # recording s of the first sung onset and last offset (Render keeps
    # only the hum of the recording: the caller's words around it are no part of your-hum.wav); None: the whole
    hum_breaks_s: list[tuple[float, float]] = []  # Analysis.breaks_s: the caller's words between two parts of the hum,
    # left out of your-hum.wav too

    def part(self, name: str) -> Part:
        for p in self.parts:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def duration_s(self) -> float:
        beats = self.total_bars * self.time_signature.numerator * 4 / self.time_signature.denominator
        return beats * 60.0 / self.tempo_bpm
