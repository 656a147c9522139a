// SPDX-License-Identifier: GPL-2.0-or-later
// Parsers for what bpftrace writes: `-f json` lines on stdout and diagnostics on stderr.
#pragma once

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

/// Splits stdout into lines (handling partial reads and several lines in one read) and turns
/// each into an OutputEvent. A line longer than maxLineBytes is cut and reported as Malformed.
class BpftraceJsonParser
{
public:
    explicit BpftraceJsonParser(qsizetype maxLineBytes = 1 << 20);
    /// Feeds a chunk; returns the events of the complete lines in it.
    QList<OutputEvent> feed(QByteArrayView chunk);
    /// End of stream: a last line without a newline is parsed too.
    QList<OutputEvent> finish();
    static OutputEvent parseLine(QByteArrayView line);

private:
    QByteArray m_pending;
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
