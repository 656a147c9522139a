// SPDX-License-Identifier: GPL-2.0-or-later
// Parsers for what bpftrace writes: `-f json` lines on stdout and diagnostics on stderr.
#pragma once

#include "engine/outputbuffer.h"
#include "engine/runtypes.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QStringList>

/// One line of `bpftrace -f json` output, typed.
struct OutputEvent
{
    enum class Kind
    {
        Printf, ///< text: the printf output (may hold several lines or none)
        AttachedProbes, ///< data: {"probes": N}
        Map, ///< data: {"@name": value or {key: value}}
        Hist, ///< data: {"@name": [{"min","max","count"}...] or {key: [...]}}
        Lhist,
        Stats, ///< data: {"@name": {"count","average","total"}} (avg/stats maps)
        LostEvents, ///< data: {"events": N}
        Time, ///< text: time() output
        Join, ///< text
        Syscall, ///< text: system() output
        Value, ///< data: print(value) of a non-map
        Error, ///< a JSON error object printed on stdout
        Unknown, ///< well-formed JSON of a type this version does not know; kept raw
        Malformed, ///< not JSON at all; text holds the raw line
    };
    Kind kind = Kind::Unknown;
    QString type; ///< bpftrace's "type" field as written
    QJsonValue data;
    QString text; ///< human-readable text for printf-like kinds; the raw line for Malformed

    static QString kindName(Kind kind);
};

/// What the ingest path makes of stdout: the lines a person reads go straight into one buffer
/// as UTF-8 (a printf with "\n" in it gives one line each, as the run shows them), everything
/// else stays an event. Lines are not stamped yet: the reader stamps them when it accepts them.
struct ParsedOutput
{
    OutputBuffer lines;
    std::vector<quint32> textSizes; ///< each line's QString::size(): the rate limit counts those
    qint64 textSize = 0; ///< their sum
    qsizetype eventLines = 0; ///< lines in the Event stream (never rate limited)
    /// Kinds that are not lines: maps, hist, lhist, stats, attached_probes, lost_events.
    QList<OutputEvent> events;
    qint64 eventBytes = 0; ///< JSON bytes of those events, to bound what waits for the GUI thread

    void clear();
};

/// Splits stdout into lines (handling partial reads and several lines in one read) and turns
/// each into an OutputEvent. A line longer than maxLineBytes is cut and reported as Malformed.
///
/// bpftrace writes printf and the other text kinds always the same way,
/// {"type": "printf", "data": "..."}: those lines are decoded by a hand-written scanner (eight
/// bytes at a time) straight to UTF-8, which the ingest benchmark measures against
/// QJsonDocument and simdjson. Anything else, or anything unusual in them (a lone surrogate,
/// invalid UTF-8, a raw control character, another layout) takes QJsonDocument, so both paths
/// agree on every input (tst_bpftracejsonparser checks that they do).
class BpftraceJsonParser
{
public:
    explicit BpftraceJsonParser(qsizetype maxLineBytes = 1 << 20);
    /// Feeds a chunk; returns the events of the complete lines in it.
    QList<OutputEvent> feed(QByteArrayView chunk);
    /// End of stream: a last line without a newline is parsed too.
    QList<OutputEvent> finish();
    static OutputEvent parseLine(QByteArrayView line);
    /// Only QJsonDocument, no fast path: the reference the fast path must agree with.
    static OutputEvent parseLineWithQJson(QByteArrayView line);

    /// The ingest path: the same lines, appended to `out` as lines and events.
    void feed(QByteArrayView chunk, ParsedOutput *out);
    void finish(ParsedOutput *out);
    /// How an event becomes lines of the run (printf text split at its newlines, errors on
    /// stderr, unknown kinds as events); kinds that are not lines go to out->events.
    static void appendEvent(OutputEvent &&event, qsizetype jsonBytes, ParsedOutput *out);

private:
    template<typename Sink> void split(QByteArrayView chunk, Sink &&sink);
    void ingestLine(QByteArrayView line, ParsedOutput *out);

    QByteArray m_pending;
    QByteArray m_scratch; ///< decoded text of the current line
    qsizetype m_maxLineBytes;
    bool m_discarding = false;
};

/// Turns bpftrace's stderr into diagnostics:
///   "stdin:3:5-12: ERROR: Unknown function: foo" (+ source line and ~~~ marker lines)
///   "ERROR: ..." / "WARNING: ..." without a location.
/// The harmless "couldn't set RLIMIT_MEMLOCK" warning is dropped, not reported.
class BpftraceDiagnosticParser
{
public:
    QList<Diagnostic> feed(QByteArrayView chunk);
    QList<Diagnostic> finish();
    static QList<Diagnostic> parseAll(const QString &stderrText);
    /// Lines of stderr that were not diagnostics (kept as plain output for the person).
    QStringList takeOtherLines();

private:
    void parseLine(QString line, QList<Diagnostic> *out);

    QByteArray m_pending;
    QStringList m_other;
    int m_contextLines = 0; ///< source + marker lines still expected after a located diagnostic
};
