// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/bpftraceoutput.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <bit>
#include <cstring>
#include <limits>

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

void ParsedOutput::clear()
{
    lines.clear();
    textSizes.clear();
    textSize = 0;
    eventLines = 0;
    events.clear();
    eventBytes = 0;
}

BpftraceJsonParser::BpftraceJsonParser(qsizetype maxLineBytes)
    : m_maxLineBytes(maxLineBytes)
{ }

template<typename Sink> void BpftraceJsonParser::split(QByteArrayView chunk, Sink &&sink)
{
    // sink.line(view) for each complete line, sink.cut(event) for the one report of an oversize line.
    while (!chunk.isEmpty()) {
        const auto *found = static_cast<const char *>(std::memchr(chunk.data(), '\n', size_t(chunk.size())));
        const qsizetype newline = found ? found - chunk.data() : -1;
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
            sink.cut(std::move(event), m_pending.size());
            m_pending.clear();
            m_discarding = newline < 0;
        } else if (newline < 0) {
            m_pending.append(part);
        } else if (m_pending.isEmpty()) {
            sink.line(part);
        } else {
            m_pending.append(part);
            sink.line(QByteArrayView(m_pending));
            m_pending.clear();
        }
        if (newline < 0)
            break;
        chunk = chunk.sliced(newline + 1);
    }
}

namespace {
bool isBlank(QByteArrayView line)
{
    // Every line bpftrace writes starts with '{': only the others need a closer look.
    return line.isEmpty() || (line.front() != '{' && line.trimmed().isEmpty());
}

QByteArrayView chopLineEnd(QByteArrayView line)
{
    while (!line.isEmpty() && (line.back() == '\r' || line.back() == '\n'))
        line.chop(1);
    return line;
}

// The scanner looks at eight bytes at a time for what ends a plain run of text: '"', '\\', a
// control character or a byte >= 0x80 (UTF-8 to check). Each test flags the lowest matching
// byte exactly (borrows only carry upwards), and the lowest is all the scanner uses.
constexpr quint64 kOnes = 0x0101010101010101ULL;
constexpr quint64 kHigh = 0x8080808080808080ULL;

inline quint64 zeroBytes(quint64 v)
{
    return (v - kOnes) & ~v & kHigh;
}

inline quint64 specialBytes(quint64 w)
{
    return zeroBytes(w ^ (kOnes * '"')) | zeroBytes(w ^ (kOnes * '\\')) | ((w - kOnes * 0x20) & ~w & kHigh)
        | (w & kHigh);
}

int hex4(const char *p)
{
    int value = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = p[i];
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

char *encodeUtf8(char32_t cp, char *d)
{
    if (cp < 0x80) {
        *d++ = char(cp);
    } else if (cp < 0x800) {
        *d++ = char(0xC0 | (cp >> 6));
        *d++ = char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = char(0xE0 | (cp >> 12));
        *d++ = char(0x80 | ((cp >> 6) & 0x3F));
        *d++ = char(0x80 | (cp & 0x3F));
    } else {
        *d++ = char(0xF0 | (cp >> 18));
        *d++ = char(0x80 | ((cp >> 12) & 0x3F));
        *d++ = char(0x80 | ((cp >> 6) & 0x3F));
        *d++ = char(0x80 | (cp & 0x3F));
    }
    return d;
}

/// Length of one well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF), 0 when there is none.
int utf8SequenceLength(const unsigned char *p, const unsigned char *end)
{
    const unsigned char c = p[0];
    int length;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        if (c == 0xE0)
            low = 0xA0;
        else if (c == 0xED)
            high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        if (c == 0xF0)
            low = 0x90;
        else if (c == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    if (end - p < length || p[1] < low || p[1] > high)
        return 0;
    for (int i = 2; i < length; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    }
    return length;
}

/// Decodes the body of a JSON string (between its quotes) into dst, which has room for as many
/// bytes as the body (decoding never makes text longer). Returns the decoded size, or -1 for
/// anything the general parser should judge instead.
qsizetype decodeStringBody(QByteArrayView body, char *dst, bool *ascii)
{
    const char *p = body.data();
    const char *const end = p + body.size();
    char *d = dst;
    *ascii = true;
    while (p < end) {
        if constexpr (std::endian::native == std::endian::little) {
            if (end - p >= 8) {
                quint64 w;
                std::memcpy(&w, p, 8);
                // Copied ahead of the test: d + 8 stays within dst, as d - dst <= p - body.
                std::memcpy(d, p, 8);
                const quint64 special = specialBytes(w);
                if (special == 0) {
                    p += 8;
                    d += 8;
                    continue;
                }
                const int plain = std::countr_zero(special) >> 3;
                p += plain;
                d += plain;
            }
        }
        const auto c = static_cast<unsigned char>(*p);
        if (c == '\\') {
            if (end - p < 2)
                return -1;
            switch (p[1]) {
            case 'n':
                *d++ = '\n';
                break;
            case 't':
                *d++ = '\t';
                break;
            case 'r':
                *d++ = '\r';
                break;
            case '"':
                *d++ = '"';
                break;
            case '\\':
                *d++ = '\\';
                break;
            case '/':
                *d++ = '/';
                break;
            case 'b':
                *d++ = '\b';
                break;
            case 'f':
                *d++ = '\f';
                break;
            case 'u': {
                // bpftrace writes its other control characters as \u00XX.
                if (end - p < 6)
                    return -1;
                const int unit = hex4(p + 2);
                if (unit < 0)
                    return -1;
                auto cp = char32_t(unit);
                p += 6;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
                        return -1;
                    const int low = hex4(p + 2);
                    if (low < 0xDC00 || low > 0xDFFF)
                        return -1;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + char32_t(low - 0xDC00);
                    p += 6;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return -1;
                }
                if (cp >= 0x80)
                    *ascii = false;
                d = encodeUtf8(cp, d);
                continue;
            }
            default:
                return -1;
            }
            p += 2;
        } else if (c == '"' || c < 0x20) {
            return -1; // the string ends early, or a raw control character: not valid JSON text
        } else if (c >= 0x80) {
            const int length = utf8SequenceLength(
                reinterpret_cast<const unsigned char *>(p), reinterpret_cast<const unsigned char *>(end));
            if (length == 0)
                return -1;
            std::memcpy(d, p, size_t(length));
            d += length;
            p += length;
            *ascii = false;
        } else {
            *d++ = char(c);
            ++p;
        }
    }
    return d - dst;
}

/// The text kinds bpftrace writes as {"type": "<kind>", "data": "<text>"}.
bool textKind(QByteArrayView type, OutputEvent::Kind *kind)
{
    using Kind = OutputEvent::Kind;
    if (type == "printf")
        *kind = Kind::Printf;
    else if (type == "time")
        *kind = Kind::Time;
    else if (type == "join")
        *kind = Kind::Join;
    else if (type == "syscall")
        *kind = Kind::Syscall;
    else if (type == "value")
        *kind = Kind::Value;
    else
        return false;
    return true;
}

/// The fast path: a text kind in bpftrace's own layout, decoded into `scratch`. Returns the
/// decoded size, or -1 for the general parser.
qsizetype decodeTextLine(QByteArrayView line, OutputEvent::Kind *kind, QByteArray *scratch, bool *ascii)
{
    static constexpr QByteArrayView typePrefix("{\"type\": \"");
    static constexpr QByteArrayView dataPrefix("\", \"data\": \"");
    if (!line.startsWith(typePrefix) || !line.endsWith("\"}"))
        return -1;
    const QByteArrayView rest = line.sliced(typePrefix.size());
    const qsizetype typeEnd = rest.indexOf('"');
    if (typeEnd < 0 || !textKind(rest.first(typeEnd), kind) || !rest.sliced(typeEnd).startsWith(dataPrefix))
        return -1;
    const qsizetype bodyStart = typePrefix.size() + typeEnd + dataPrefix.size();
    if (bodyStart > line.size() - 2)
        return -1;
    const QByteArrayView body = line.sliced(bodyStart, line.size() - 2 - bodyStart);
    if (scratch->size() < body.size())
        scratch->resize(std::max(body.size(), 2 * scratch->size()));
    return decodeStringBody(body, scratch->data(), ascii);
}

/// QString::size() of valid UTF-8: one unit per sequence, two for the four-byte ones.
qsizetype utf16Length(QByteArrayView utf8)
{
    qsizetype units = 0;
    for (const char c : utf8) {
        const auto b = static_cast<unsigned char>(c);
        units += qsizetype((b & 0xC0) != 0x80) + qsizetype(b >= 0xF0);
    }
    return units;
}

void appendLine(ParsedOutput *out, OutputLine::Stream stream, QByteArrayView utf8, qsizetype textSize)
{
    out->lines.append(stream, 0, utf8);
    out->textSizes.push_back(quint32(std::min<qsizetype>(textSize, std::numeric_limits<quint32>::max())));
    out->textSize += textSize;
    if (stream == OutputLine::Stream::Event)
        ++out->eventLines;
}

void appendLine(ParsedOutput *out, OutputLine::Stream stream, QStringView text)
{
    appendLine(out, stream, text.toUtf8(), text.size());
}

/// A printf-like text as the run shows it: one line per "\n", the last one not ending a line.
void appendTextLines(ParsedOutput *out, QByteArrayView text, bool ascii)
{
    if (text.endsWith('\n'))
        text.chop(1);
    while (true) {
        const auto *found = static_cast<const char *>(std::memchr(text.data(), '\n', size_t(text.size())));
        const QByteArrayView part = found ? text.first(found - text.data()) : text;
        appendLine(out, OutputLine::Stream::Stdout, part, ascii ? part.size() : utf16Length(part));
        if (!found)
            break;
        text = text.sliced(part.size() + 1);
    }
}
} // namespace

QList<OutputEvent> BpftraceJsonParser::feed(QByteArrayView chunk)
{
    struct Sink
    {
        QList<OutputEvent> &events;
        void line(QByteArrayView line)
        {
            if (!isBlank(line))
                events.append(parseLine(line));
        }
        void cut(OutputEvent &&event, qsizetype) { events.append(std::move(event)); }
    };
    QList<OutputEvent> events;
    split(chunk, Sink { events });
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

void BpftraceJsonParser::feed(QByteArrayView chunk, ParsedOutput *out)
{
    struct Sink
    {
        BpftraceJsonParser *parser;
        ParsedOutput *out;
        void line(QByteArrayView line) { parser->ingestLine(line, out); }
        void cut(OutputEvent &&event, qsizetype bytes) { appendEvent(std::move(event), bytes, out); }
    };
    split(chunk, Sink { this, out });
}

void BpftraceJsonParser::finish(ParsedOutput *out)
{
    if (!m_pending.isEmpty())
        ingestLine(m_pending, out);
    m_pending.clear();
    m_discarding = false;
}

void BpftraceJsonParser::ingestLine(QByteArrayView line, ParsedOutput *out)
{
    if (isBlank(line))
        return;
    line = chopLineEnd(line);
    OutputEvent::Kind kind;
    bool ascii = true;
    const qsizetype size = decodeTextLine(line, &kind, &m_scratch, &ascii);
    if (size < 0) {
        appendEvent(parseLineWithQJson(line), line.size(), out);
        return;
    }
    const QByteArrayView text(m_scratch.constData(), size);
    if (kind == OutputEvent::Kind::Value)
        appendLine(out, OutputLine::Stream::Stdout, text, ascii ? text.size() : utf16Length(text));
    else
        appendTextLines(out, text, ascii);
}

void BpftraceJsonParser::appendEvent(OutputEvent &&event, qsizetype jsonBytes, ParsedOutput *out)
{
    using Kind = OutputEvent::Kind;
    using Stream = OutputLine::Stream;
    switch (event.kind) {
    case Kind::Printf:
    case Kind::Time:
    case Kind::Join:
    case Kind::Syscall: {
        QStringView text = event.text;
        if (text.endsWith(u'\n'))
            text.chop(1);
        for (QStringView part : text.split(u'\n'))
            appendLine(out, Stream::Stdout, part);
        break;
    }
    case Kind::Value:
    case Kind::Malformed:
        appendLine(out, Stream::Stdout, event.text);
        break;
    case Kind::Error:
        appendLine(out, Stream::Stderr, event.text);
        break;
    case Kind::Unknown:
        appendLine(out, Stream::Event, event.text);
        break;
    case Kind::AttachedProbes:
    case Kind::LostEvents:
    case Kind::Map:
    case Kind::Hist:
    case Kind::Lhist:
    case Kind::Stats:
        out->events.append(std::move(event));
        out->eventBytes += jsonBytes;
        break;
    }
}

OutputEvent BpftraceJsonParser::parseLine(QByteArrayView line)
{
    line = chopLineEnd(line);
    OutputEvent::Kind kind;
    bool ascii = true;
    QByteArray scratch;
    const qsizetype size = decodeTextLine(line, &kind, &scratch, &ascii);
    if (size < 0)
        return parseLineWithQJson(line);
    OutputEvent event;
    event.kind = kind;
    event.type = OutputEvent::kindName(kind);
    event.text = QString::fromUtf8(scratch.constData(), size);
    event.data = event.text;
    return event;
}

OutputEvent BpftraceJsonParser::parseLineWithQJson(QByteArrayView line)
{
    OutputEvent event;
    line = chopLineEnd(line);
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
