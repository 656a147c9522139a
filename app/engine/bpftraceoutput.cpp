// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/bpftraceoutput.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

QString OutputEvent::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Printf:
        return u"printf"_s;
    case Kind::AttachedProbes:
        return u"attached_probes"_s;
    case Kind::Map:
        return u"map"_s;
    case Kind::Hist:
        return u"hist"_s;
    case Kind::Lhist:
        return u"lhist"_s;
    case Kind::Stats:
        return u"stats"_s;
    case Kind::LostEvents:
        return u"lost_events"_s;
    case Kind::Time:
        return u"time"_s;
    case Kind::Join:
        return u"join"_s;
    case Kind::Syscall:
        return u"syscall"_s;
    case Kind::Value:
        return u"value"_s;
    case Kind::Error:
        return u"error"_s;
    case Kind::Unknown:
        return u"unknown"_s;
    case Kind::Malformed:
        return u"malformed"_s;
    }
    return QString();
}

BpftraceJsonParser::BpftraceJsonParser(qsizetype maxLineBytes)
    : m_maxLineBytes(maxLineBytes)
{ }

QList<OutputEvent> BpftraceJsonParser::feed(QByteArrayView chunk)
{
    QList<OutputEvent> events;
    while (!chunk.isEmpty()) {
        const qsizetype newline = chunk.indexOf('\n');
        const QByteArrayView part = newline < 0 ? chunk : chunk.first(newline);
        if (m_discarding) {
            // The rest of an oversize line: already reported, skip it up to its newline.
            if (newline >= 0)
                m_discarding = false;
        } else if (m_pending.size() + part.size() > m_maxLineBytes) {
            m_pending.append(part.first(std::max<qsizetype>(0, m_maxLineBytes - m_pending.size())));
            OutputEvent event;
            event.kind = OutputEvent::Kind::Malformed;
            event.text = QString::fromUtf8(m_pending) + u" [line cut: longer than "_s + QString::number(m_maxLineBytes)
                + u" bytes]"_s;
            events.append(std::move(event));
            m_pending.clear();
            m_discarding = newline < 0;
        } else if (newline < 0) {
            m_pending.append(part);
        } else if (m_pending.isEmpty()) {
            if (!part.trimmed().isEmpty())
                events.append(parseLine(part));
        } else {
            m_pending.append(part);
            if (!m_pending.trimmed().isEmpty())
                events.append(parseLine(m_pending));
            m_pending.clear();
        }
        if (newline < 0)
            break;
        chunk = chunk.sliced(newline + 1);
    }
    return events;
}

QList<OutputEvent> BpftraceJsonParser::finish()
{
    QList<OutputEvent> events;
    if (!m_pending.trimmed().isEmpty())
        events.append(parseLine(m_pending));
    m_pending.clear();
    m_discarding = false;
    return events;
}

namespace {
// printf lines are nearly all of a busy run's output and bpftrace always writes them the same
// way, so they skip the general JSON parser (the ingest benchmark measures the difference).
// Anything unusual (\u escapes, control characters, invalid UTF-8) takes the general path.
bool parsePrintfFast(QByteArrayView line, OutputEvent *event)
{
    static constexpr QByteArrayView prefix("{\"type\": \"printf\", \"data\": \"");
    if (!line.startsWith(prefix) || !line.endsWith("\"}"))
        return false;
    const QByteArrayView body = line.sliced(prefix.size(), line.size() - prefix.size() - 2);
    QByteArray decoded;
    decoded.reserve(body.size());
    for (qsizetype i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '"' || static_cast<unsigned char>(c) < 0x20)
            return false;
        if (c != '\\') {
            decoded.append(c);
            continue;
        }
        if (++i >= body.size())
            return false;
        switch (body[i]) {
        case 'n':
            decoded.append('\n');
            break;
        case 't':
            decoded.append('\t');
            break;
        case 'r':
            decoded.append('\r');
            break;
        case '"':
            decoded.append('"');
            break;
        case '\\':
            decoded.append('\\');
            break;
        case '/':
            decoded.append('/');
            break;
        default:
            return false;
        }
    }
    if (!QUtf8StringView(decoded).isValidUtf8())
        return false;
    event->kind = OutputEvent::Kind::Printf;
    event->type = u"printf"_s;
    event->text = QString::fromUtf8(decoded);
    event->data = event->text;
    return true;
}
} // namespace

OutputEvent BpftraceJsonParser::parseLine(QByteArrayView line)
{
    OutputEvent event;
    while (!line.isEmpty() && (line.back() == '\r' || line.back() == '\n'))
        line.chop(1);
    if (parsePrintfFast(line, &event))
        return event;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
    const QJsonObject object = document.object();
    const QJsonValue type = object.value("type"_L1);
    if (error.error != QJsonParseError::NoError || !document.isObject() || !type.isString()) {
        event.kind = OutputEvent::Kind::Malformed;
        event.text = QString::fromUtf8(line);
        return event;
    }
    event.type = type.toString();
    event.data = object.value("data"_L1);

    using Kind = OutputEvent::Kind;
    struct Known
    {
        QLatin1StringView name;
        Kind kind;
    };
    static constexpr Known known[] = {
        { "printf"_L1, Kind::Printf },
        { "attached_probes"_L1, Kind::AttachedProbes },
        { "map"_L1, Kind::Map },
        { "hist"_L1, Kind::Hist },
        { "lhist"_L1, Kind::Lhist },
        { "stats"_L1, Kind::Stats },
        { "lost_events"_L1, Kind::LostEvents },
        { "time"_L1, Kind::Time },
        { "join"_L1, Kind::Join },
        { "syscall"_L1, Kind::Syscall },
        { "value"_L1, Kind::Value },
        { "error"_L1, Kind::Error },
        { "helper_error"_L1, Kind::Error },
    };
    event.kind = Kind::Unknown;
    for (const Known &k : known) {
        if (event.type == k.name) {
            event.kind = k.kind;
            break;
        }
    }
    switch (event.kind) {
    case Kind::Printf:
    case Kind::Time:
    case Kind::Join:
    case Kind::Syscall:
        event.text = event.data.isString() ? event.data.toString()
                                           : QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
        break;
    case Kind::Value:
        event.text = event.data.isString()
            ? event.data.toString()
            : QString::fromUtf8(QJsonDocument(QJsonArray { event.data }).toJson(QJsonDocument::Compact))
                  .mid(1)
                  .chopped(1);
        break;
    case Kind::Error:
        if (event.data.isString())
            event.text = event.data.toString();
        else if (object.contains("msg"_L1))
            event.text = object.value("msg"_L1).toString();
        else
            event.text = QString::fromUtf8(line);
        break;
    case Kind::Unknown:
        event.text = QString::fromUtf8(line);
        break;
    default:
        break;
    }
    return event;
}

namespace {
// "stdin:3:5-12: ERROR: Unknown function: foo", "/tmp/x.bt:2:3: WARNING: ...". The file part
// may itself hold colons, so the location is matched from the end of the prefix.
const QRegularExpression &locatedPattern()
{
    static const QRegularExpression re(u"^(.*?):(\\d+):(\\d+)(?:-(\\d+))?:\\s*(ERROR|WARNING|NOTE|HINT):\\s?(.*)$"_s);
    return re;
}

const QRegularExpression &plainPattern()
{
    static const QRegularExpression re(u"^(ERROR|WARNING|NOTE|HINT):\\s?(.*)$"_s);
    return re;
}

const QRegularExpression &markerPattern()
{
    static const QRegularExpression re(u"^\\s*[~^]+\\s*$"_s);
    return re;
}

Diagnostic::Severity severityOf(QStringView word)
{
    if (word == "ERROR"_L1)
        return Diagnostic::Severity::Error;
    if (word == "WARNING"_L1)
        return Diagnostic::Severity::Warning;
    return Diagnostic::Severity::Note;
}
} // namespace

QList<Diagnostic> BpftraceDiagnosticParser::feed(QByteArrayView chunk)
{
    m_pending.append(chunk);
    QList<Diagnostic> out;
    qsizetype start = 0;
    while (true) {
        const qsizetype newline = m_pending.indexOf('\n', start);
        if (newline < 0)
            break;
        parseLine(QString::fromUtf8(QByteArrayView(m_pending).sliced(start, newline - start)), &out);
        start = newline + 1;
    }
    m_pending.remove(0, start);
    // A stderr line without newline can grow without bound (a flood); cut it like stdout.
    if (m_pending.size() > (1 << 20)) {
        parseLine(QString::fromUtf8(m_pending.first(1 << 20)), &out);
        m_pending.clear();
    }
    return out;
}

QList<Diagnostic> BpftraceDiagnosticParser::finish()
{
    QList<Diagnostic> out;
    if (!m_pending.isEmpty())
        parseLine(QString::fromUtf8(m_pending), &out);
    m_pending.clear();
    m_contextLines = 0;
    return out;
}

void BpftraceDiagnosticParser::parseLine(QString line, QList<Diagnostic> *out)
{
    if (line.endsWith(u'\r'))
        line.chop(1);
    if (m_contextLines > 0) {
        // After a located diagnostic bpftrace prints the source line, then a ~~~ marker.
        const bool isSourceLine = m_contextLines == 2 && !locatedPattern().match(line).hasMatch();
        --m_contextLines;
        if (isSourceLine)
            return;
        if (markerPattern().match(line).hasMatch())
            return;
    }
    if (line.trimmed().isEmpty())
        return;
    if (line.contains("RLIMIT_MEMLOCK"_L1))
        return; // harmless on kernels >= 5.11, never an error (BPFTRACE.md)

    const QRegularExpressionMatch located = locatedPattern().match(line);
    if (located.hasMatch()) {
        Diagnostic d;
        d.severity = severityOf(located.capturedView(5));
        d.line = located.capturedView(2).toInt();
        d.column = located.capturedView(3).toInt();
        // bpftrace's range end is exclusive ("1:12-15" marks three characters); ours is inclusive.
        if (located.hasCaptured(4))
            d.endColumn = std::max(d.column, located.capturedView(4).toInt() - 1);
        d.message = located.captured(6).trimmed();
        out->append(d);
        m_contextLines = 2;
        return;
    }
    const QRegularExpressionMatch plain = plainPattern().match(line);
    if (plain.hasMatch()) {
        Diagnostic d;
        d.severity = severityOf(plain.capturedView(1));
        d.message = plain.captured(2).trimmed();
        out->append(d);
        return;
    }
    m_other.append(line);
}

QList<Diagnostic> BpftraceDiagnosticParser::parseAll(const QString &stderrText)
{
    BpftraceDiagnosticParser parser;
    QList<Diagnostic> out = parser.feed(stderrText.toUtf8());
    out += parser.finish();
    return out;
}

QStringList BpftraceDiagnosticParser::takeOtherLines()
{
    return std::exchange(m_other, {});
}
