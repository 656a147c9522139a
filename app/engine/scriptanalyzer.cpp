// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/scriptanalyzer.h"

#include "engine/bpftraceoutput.h"
#include "engine/probecatalog.h"
#include "engine/queryprocess.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <memory>

Q_LOGGING_CATEGORY(lcAnalyzer, "tracedesk.engine.analyzer", QtInfoMsg)

using namespace Qt::StringLiterals;

namespace {

// Thresholds behind "high-frequency": a profile probe fires on every CPU, an interval probe on one.
constexpr double ProfileMediumHz = 100;
constexpr double ProfileHighHz = 1000;
constexpr double IntervalMediumHz = 100;
constexpr double IntervalHighHz = 1000;
constexpr qint64 EventCountMedium = 100'000; // hardware/software: one sample per N events
constexpr int ExpansionMedium = 100;
constexpr int ExpansionHigh = 1000;
constexpr qsizetype MaxScriptOnCommandLine = 100'000; // under the kernel's 128 KiB per argument

RiskLevel maxRisk(RiskLevel a, RiskLevel b)
{
    return int(a) >= int(b) ? a : b;
}

RiskLevel riskFromName(const QString &name)
{
    if (name == u"high")
        return RiskLevel::High;
    if (name == u"medium")
        return RiskLevel::Medium;
    return RiskLevel::Low;
}

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

// The script with comments blanked out and string contents replaced by 'x' (quotes kept), so
// that a probe name or "system(" inside a comment or a string is never taken for code. Offsets
// and line numbers stay those of the original.
struct Masked
{
    QString code;
    QList<Diagnostic> problems;
};

Masked maskScript(const QString &script)
{
    Masked out;
    out.code = script;
    QString &code = out.code;
    enum class State
    {
        Code,
        String,
        LineComment,
        BlockComment
    } state
        = State::Code;
    int line = 1;
    int stringLine = 0;
    int commentLine = 0;
    for (qsizetype i = 0; i < code.size(); ++i) {
        const QChar c = script.at(i);
        const QChar next = i + 1 < script.size() ? script.at(i + 1) : QChar();
        if (c == u'\n')
            ++line;
        switch (state) {
        case State::Code:
            if (c == u'"') {
                state = State::String;
                stringLine = line;
            } else if (c == u'/' && next == u'/') {
                state = State::LineComment;
                code[i] = u' ';
            } else if (c == u'/' && next == u'*') {
                state = State::BlockComment;
                commentLine = line;
                code[i] = u' ';
                code[++i] = u' ';
            }
            break;
        case State::String:
            if (c == u'\\' && i + 1 < code.size()) {
                code[i] = u'x';
                if (next != u'\n')
                    code[++i] = u'x';
            } else if (c == u'"') {
                state = State::Code;
            } else if (c == u'\n') {
                // bpftrace strings do not span lines; report once and resynchronise.
                out.problems.append({ Diagnostic::Severity::Error, stringLine, 0, 0, u"unterminated string"_s });
                state = State::Code;
            } else {
                code[i] = u'x';
            }
            break;
        case State::LineComment:
            if (c == u'\n')
                state = State::Code;
            else
                code[i] = u' ';
            break;
        case State::BlockComment:
            if (c == u'*' && next == u'/') {
                code[i] = u' ';
                code[++i] = u' ';
                state = State::Code;
            } else if (c != u'\n') {
                code[i] = u' ';
            }
            break;
        }
    }
    if (state == State::String)
        out.problems.append({ Diagnostic::Severity::Error, stringLine, 0, 0, u"unterminated string"_s });
    if (state == State::BlockComment)
        out.problems.append({ Diagnostic::Severity::Error, commentLine, 0, 0, u"unterminated /* comment"_s });
    return out;
}

struct LineIndex
{
    QList<qsizetype> starts;
    explicit LineIndex(const QString &text)
    {
        starts.append(0);
        for (qsizetype i = 0; i < text.size(); ++i) {
            if (text.at(i) == u'\n')
                starts.append(i + 1);
        }
    }
    int lineOf(qsizetype pos) const
    {
        return int(std::upper_bound(starts.cbegin(), starts.cend(), pos) - starts.cbegin());
    }
};

struct ProbeSpec
{
    QString text; ///< as written (from the original, so quoted paths survive)
    int line = 0;
};

struct Block
{
    QList<ProbeSpec> specs;
    qsizetype bodyStart = 0; ///< after '{'
    qsizetype bodyEnd = 0; ///< at the matching '}'
};

// Top-level items that are not probes: C definitions, config, functions and macros.
bool isNonProbeHeader(const QString &header)
{
    static const QRegularExpression re(u"^\\s*(struct|union|enum|typedef|config|fn|macro|import|let)\\b"_s);
    return re.match(header).hasMatch();
}

QList<Block> findBlocks(
    const QString &script, const Masked &masked, const LineIndex &lines, QList<Diagnostic> *problems)
{
    QList<Block> blocks;
    const QString &code = masked.code;
    int depth = 0;
    qsizetype headerStart = 0;
    qsizetype openPos = -1;
    QList<qsizetype> openStack;
    for (qsizetype i = 0; i < code.size(); ++i) {
        const QChar c = code.at(i);
        if (depth == 0 && c == u'#') {
            // Preprocessor line (#include, #define): not part of any header.
            const qsizetype eol = code.indexOf(u'\n', i);
            i = eol < 0 ? code.size() : eol;
            headerStart = i + 1;
            continue;
        }
        if (c == u'{') {
            if (depth == 0)
                openPos = i;
            openStack.append(i);
            ++depth;
        } else if (c == u'}') {
            if (depth == 0) {
                problems->append({ Diagnostic::Severity::Error, lines.lineOf(i), 0, 0, u"unmatched '}'"_s });
                headerStart = i + 1;
                continue;
            }
            openStack.removeLast();
            if (--depth == 0) {
                const QString header = code.mid(headerStart, openPos - headerStart);
                if (!isNonProbeHeader(header)) {
                    Block block;
                    block.bodyStart = openPos + 1;
                    block.bodyEnd = i;
                    // The attach list ends where a predicate (/.../) starts: a '/' at the start of
                    // a word, which a path inside a uprobe spec never is (it follows ':').
                    qsizetype pos = headerStart;
                    const qsizetype end = openPos;
                    while (pos < end) {
                        while (pos < end && (code.at(pos).isSpace() || code.at(pos) == u',' || code.at(pos) == u';'))
                            ++pos;
                        if (pos >= end || code.at(pos) == u'/')
                            break;
                        qsizetype stop = pos;
                        while (stop < end && !code.at(stop).isSpace() && code.at(stop) != u',')
                            ++stop;
                        QString spec = script.mid(pos, stop - pos);
                        block.specs.append({ spec, lines.lineOf(pos) });
                        pos = stop;
                    }
                    if (!block.specs.isEmpty())
                        blocks.append(block);
                }
                headerStart = i + 1;
            }
        } else if (depth == 0 && c == u';') {
            headerStart = i + 1; // after "struct x { ... };" or a stray ';'
        }
    }
    for (qsizetype open : std::as_const(openStack))
        problems->append({ Diagnostic::Severity::Error, lines.lineOf(open), 0, 0, u"unmatched '{'"_s });
    return blocks;
}

// Rate in Hz of "profile:hz:99", "interval:ms:10", "interval:s:1", "profile:us:100"; -1 if unknown.
double rateHz(const QString &unit, const QString &value)
{
    bool ok = false;
    const double n = value.toDouble(&ok);
    if (!ok || n <= 0)
        return -1;
    if (unit == u"hz")
        return n;
    if (unit == u"s")
        return 1.0 / n;
    if (unit == u"ms")
        return 1000.0 / n;
    if (unit == u"us")
        return 1e6 / n;
    if (unit == u"ns")
        return 1e9 / n;
    return -1;
}

bool isTlsLibrary(const QString &target)
{
    static const QRegularExpression re(
        u"(libssl|libcrypto|libgnutls|libnss3?|libnspr|libssl3|libboringssl|libwolfssl|libmbedtls|libsecret|libgcrypt)"_s,
        QRegularExpression::CaseInsensitiveOption);
    return re.match(target).hasMatch();
}

bool isSensitivePath(const QString &path)
{
    static const QRegularExpression re(
        u"(shadow|sudoers|\\.ssh|id_rsa|id_ed25519|\\.pem|\\.key|/root/|/home/|token|secret|passw|credential|\\.gnupg|keyring|/proc/\\d+/|/proc/self/)"_s,
        QRegularExpression::CaseInsensitiveOption);
    return re.match(path).hasMatch();
}

struct Call
{
    QString name;
    qsizetype pos = 0;
    QString argument; ///< first argument, from the original text
};

// Every identifier followed by '(' in a block body, not preceded by '.', '@', '$' or a letter.
QList<Call> findCalls(const QString &script, const QString &code, qsizetype from, qsizetype to)
{
    QList<Call> calls;
    for (qsizetype i = from; i < to; ++i) {
        const QChar c = code.at(i);
        if (!(c.isLetter() || c == u'_'))
            continue;
        if (i > 0) {
            const QChar prev = code.at(i - 1);
            if (isIdentChar(prev) || prev == u'.' || prev == u'@' || prev == u'$' || prev == u'>')
                continue;
        }
        qsizetype j = i;
        while (j < to && isIdentChar(code.at(j)))
            ++j;
        qsizetype k = j;
        while (k < to && (code.at(k) == u' ' || code.at(k) == u'\t'))
            ++k;
        if (k < to && code.at(k) == u'(') {
            // First argument: up to the first ',' or the matching ')' at depth 0.
            int depth = 0;
            qsizetype a = k + 1;
            qsizetype e = a;
            for (; e < to; ++e) {
                const QChar ch = code.at(e);
                if (ch == u'(' || ch == u'[')
                    ++depth;
                else if (ch == u')' || ch == u']') {
                    if (depth == 0)
                        break;
                    --depth;
                } else if (ch == u',' && depth == 0)
                    break;
            }
            calls.append({ code.mid(i, j - i), i, script.mid(a, e - a).trimmed() });
        }
        i = j - 1;
    }
    return calls;
}

void addFinding(ScriptAnalysis &a, RiskLevel level, const QString &code, const QString &message, int line)
{
    const Finding f { level, code, message, line };
    if (!a.findings.contains(f))
        a.findings.append(f);
}

void recomputeRisk(ScriptAnalysis &a)
{
    a.risk = RiskLevel::Low;
    for (const Finding &f : std::as_const(a.findings))
        a.risk = maxRisk(a.risk, f.level);
    // Highest risk first, then by line, so reasons() reads from the worst.
    std::stable_sort(a.findings.begin(), a.findings.end(), [](const Finding &x, const Finding &y) {
        if (x.level != y.level)
            return int(x.level) > int(y.level);
        return x.line < y.line;
    });
}

void analyzeSpec(ScriptAnalysis &a, const ProbeSpec &spec, bool *userContext)
{
    const QString text = spec.text;
    if (text == u"BEGIN" || text == u"END" || text == u"begin" || text == u"end")
        return;
    const qsizetype colon = text.indexOf(u':');
    const QString provider = ProbeCatalog::canonicalProvider(colon < 0 ? text : text.left(colon));
    QStringList parts = text.split(u':');
    const bool wildcard = text.contains(u'*') || text.contains(u'?') || text.contains(u'[');

    if (provider == u"profile" || provider == u"interval") {
        if (parts.size() >= 3) {
            const double hz = rateHz(parts.at(1), parts.at(2));
            const bool profile = provider == u"profile";
            const double high = profile ? ProfileHighHz : IntervalHighHz;
            const double medium = profile ? ProfileMediumHz : IntervalMediumHz;
            const QString where = profile ? u" on every CPU"_s : QString();
            if (hz > high)
                addFinding(a, RiskLevel::High, u"high-frequency"_s,
                    u"%1 fires %2 times a second%3"_s.arg(text).arg(qRound64(hz)).arg(where), spec.line);
            else if (hz > medium)
                addFinding(a, RiskLevel::Medium, u"high-frequency"_s,
                    u"%1 fires %2 times a second%3"_s.arg(text).arg(qRound64(hz)).arg(where), spec.line);
        }
        return;
    }
    if (provider == u"hardware" || provider == u"software") {
        if (parts.size() >= 3) {
            bool ok = false;
            const qint64 count = parts.at(2).toLongLong(&ok);
            if (ok && count > 0 && count < EventCountMedium)
                addFinding(a, RiskLevel::Medium, u"high-frequency"_s,
                    u"%1 samples every %2 events, which can be very often"_s.arg(text).arg(count), spec.line);
        }
        return;
    }
    if (provider == u"watchpoint" || provider == u"asyncwatchpoint") {
        addFinding(a, RiskLevel::Medium, u"watchpoint"_s, u"%1 sets a hardware watchpoint inside a process"_s.arg(text),
            spec.line);
        return;
    }
    const bool kernelFunctions
        = provider == u"kprobe" || provider == u"kretprobe" || provider == u"fentry" || provider == u"fexit";
    const bool user = provider == u"uprobe" || provider == u"uretprobe" || provider == u"usdt";
    if (user)
        *userContext = true;
    if (user && isTlsLibrary(text)) {
        addFinding(a, RiskLevel::High, u"user-memory"_s,
            u"%1 hooks a TLS/crypto library: it can see decrypted traffic, passwords and keys"_s.arg(text), spec.line);
    }
    if (wildcard) {
        if (kernelFunctions || user) {
            addFinding(a, RiskLevel::Medium, u"wide-wildcard"_s,
                u"%1 is a wildcard over functions and may attach to thousands of probes"_s.arg(text), spec.line);
        } else if (provider == u"tracepoint" || provider == u"rawtracepoint") {
            // "tracepoint:*:*" or a wildcard category covers thousands of tracepoints.
            const bool broad = parts.size() >= 2 && (parts.at(1).contains(u'*') || parts.at(1).isEmpty());
            if (broad)
                addFinding(a, RiskLevel::Medium, u"wide-wildcard"_s,
                    u"%1 matches tracepoints of every category (thousands of probes)"_s.arg(text), spec.line);
        }
    }
}

} // namespace

QJsonObject Finding::toJson() const
{
    QJsonObject o { { u"level"_s, riskLevelName(level) }, { u"code"_s, code }, { u"message"_s, message } };
    if (line > 0)
        o.insert(u"line"_s, line);
    return o;
}

Finding Finding::fromJson(const QJsonObject &object)
{
    Finding f;
    f.level = riskFromName(object.value(u"level"_s).toString());
    f.code = object.value(u"code"_s).toString();
    f.message = object.value(u"message"_s).toString();
    f.line = object.value(u"line"_s).toInt();
    return f;
}

bool ScriptAnalysis::hasErrors() const
{
    return std::any_of(diagnostics.cbegin(), diagnostics.cend(),
        [](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; });
}

QStringList ScriptAnalysis::reasons() const
{
    QList<Finding> sorted = findings;
    std::stable_sort(
        sorted.begin(), sorted.end(), [](const Finding &x, const Finding &y) { return int(x.level) > int(y.level); });
    QStringList out;
    for (const Finding &f : std::as_const(sorted)) {
        QString text = riskLevelName(f.level) + u": "_s + f.message;
        if (f.line > 0)
            text += u" (line %1)"_s.arg(f.line);
        out.append(text);
    }
    return out;
}

QJsonObject ScriptAnalysis::toJson() const
{
    QJsonArray findingsJson;
    for (const Finding &f : findings)
        findingsJson.append(f.toJson());
    QJsonArray diagnosticsJson;
    for (const Diagnostic &d : diagnostics)
        diagnosticsJson.append(d.toJson());
    QJsonObject o {
        { u"probeSpecs"_s, QJsonArray::fromStringList(probeSpecs) },
        { u"attachList"_s, QJsonArray::fromStringList(attachList) },
        { u"attachCount"_s, attachCount },
        { u"expanded"_s, expanded },
        { u"unsafeBuiltins"_s, QJsonArray::fromStringList(unsafeBuiltins) },
        { u"needsUnsafe"_s, needsUnsafe },
        { u"findings"_s, findingsJson },
        { u"reasons"_s, QJsonArray::fromStringList(reasons()) },
        { u"diagnostics"_s, diagnosticsJson },
        { u"risk"_s, riskLevelName(risk) },
        { u"complete"_s, complete },
        { u"checked"_s, checked },
    };
    if (!uncheckedReason.isEmpty())
        o.insert(u"uncheckedReason"_s, uncheckedReason);
    return o;
}

ScriptAnalysis ScriptAnalysis::fromJson(const QJsonObject &object)
{
    auto strings = [&](const QString &key) {
        QStringList out;
        const QJsonArray array = object.value(key).toArray();
        for (const QJsonValue &v : array)
            out.append(v.toString());
        return out;
    };
    ScriptAnalysis a;
    a.probeSpecs = strings(u"probeSpecs"_s);
    a.attachList = strings(u"attachList"_s);
    a.attachCount = object.value(u"attachCount"_s).toInt(-1);
    a.expanded = object.value(u"expanded"_s).toBool();
    a.unsafeBuiltins = strings(u"unsafeBuiltins"_s);
    a.needsUnsafe = object.value(u"needsUnsafe"_s).toBool();
    const QJsonArray findings = object.value(u"findings"_s).toArray();
    for (const QJsonValue &v : findings)
        a.findings.append(Finding::fromJson(v.toObject()));
    const QJsonArray diagnostics = object.value(u"diagnostics"_s).toArray();
    for (const QJsonValue &v : diagnostics)
        a.diagnostics.append(Diagnostic::fromJson(v.toObject()));
    a.risk = riskFromName(object.value(u"risk"_s).toString());
    a.complete = object.value(u"complete"_s).toBool();
    a.checked = object.value(u"checked"_s).toBool();
    a.uncheckedReason = object.value(u"uncheckedReason"_s).toString();
    return a;
}

ScriptAnalyzer::ScriptAnalyzer(QObject *parent)
    : QObject(parent)
{ }

void ScriptAnalyzer::setBpftraceCommand(const LaunchCommand &command)
{
    m_command = command;
}

ScriptAnalysis ScriptAnalyzer::analyzeText(const QString &script)
{
    ScriptAnalysis a;
    const Masked masked = maskScript(script);
    const LineIndex lines(script);
    a.diagnostics = masked.problems;
    const QList<Block> blocks = findBlocks(script, masked, lines, &a.diagnostics);

    for (const Block &block : blocks) {
        bool userContext = false;
        for (const ProbeSpec &spec : block.specs) {
            a.probeSpecs.append(spec.text);
            analyzeSpec(a, spec, &userContext);
        }
        const QList<Call> calls = findCalls(script, masked.code, block.bodyStart, block.bodyEnd);
        for (const Call &call : calls) {
            const int line = lines.lineOf(call.pos);
            if (call.name == u"system") {
                addFinding(a, RiskLevel::High, u"unsafe-builtin"_s,
                    u"system() runs a shell command as root every time the probe fires"_s, line);
                if (!a.unsafeBuiltins.contains(u"system"_s))
                    a.unsafeBuiltins.append(u"system"_s);
            } else if (call.name == u"signal") {
                addFinding(a, RiskLevel::High, u"unsafe-builtin"_s,
                    u"signal(%1) sends a signal to the traced process and can kill it"_s.arg(call.argument), line);
                if (!a.unsafeBuiltins.contains(u"signal"_s))
                    a.unsafeBuiltins.append(u"signal"_s);
            } else if (call.name == u"override") {
                addFinding(a, RiskLevel::High, u"kernel-write"_s,
                    u"override() changes what a kernel function returns: it alters the system's behaviour"_s, line);
                if (!a.unsafeBuiltins.contains(u"override"_s))
                    a.unsafeBuiltins.append(u"override"_s);
            } else if (call.name == u"cat") {
                const bool literal = call.argument.startsWith(u'"');
                const QString path = literal ? call.argument.mid(1, call.argument.indexOf(u'"', 1) - 1) : QString();
                if (!literal || isSensitivePath(path))
                    addFinding(a, RiskLevel::High, u"file-read"_s,
                        literal ? u"cat(\"%1\") reads a private file as root"_s.arg(path)
                                : u"cat(%1) reads files chosen at run time, as root"_s.arg(call.argument),
                        line);
                else
                    addFinding(
                        a, RiskLevel::Medium, u"file-read"_s, u"cat(\"%1\") reads a file as root"_s.arg(path), line);
            } else if (call.name == u"buf") {
                addFinding(a, RiskLevel::Medium, u"user-memory"_s,
                    u"buf(%1) copies raw memory into the output"_s.arg(call.argument), line);
            } else if ((call.name == u"str" || call.name == u"uptr") && userContext) {
                addFinding(a, RiskLevel::Medium, u"user-memory"_s,
                    u"%1(%2) reads a string out of the traced program's memory"_s.arg(call.name, call.argument), line);
            }
        }
    }
    a.needsUnsafe = !a.unsafeBuiltins.isEmpty();
    if (blocks.isEmpty() && a.diagnostics.isEmpty() && !script.trimmed().isEmpty())
        a.diagnostics.append({ Diagnostic::Severity::Error, 0, 0, 0,
            u"no probe found: a program needs at least one "
            u"probe block such as BEGIN { ... }"_s });
    recomputeRisk(a);
    return a;
}

void ScriptAnalyzer::applyExpansion(ScriptAnalysis &analysis, const QByteArray &listOutput, bool listOk)
{
    if (!listOk)
        return;
    QStringList attach;
    const QList<QByteArray> rows = listOutput.split('\n');
    for (const QByteArray &row : rows) {
        const QByteArray probe = row.trimmed();
        if (probe.isEmpty() || !probe.contains(':') || probe.contains(' '))
            continue;
        attach.append(QString::fromUtf8(probe));
    }
    analysis.attachList = attach;
    analysis.attachCount = int(attach.size());
    analysis.expanded = true;
    const int n = analysis.attachCount;
    if (n > ExpansionHigh)
        addFinding(analysis, RiskLevel::High, u"wide-wildcard"_s,
            u"attaches to %1 probes: expect a noticeable slowdown while it runs"_s.arg(n), 0);
    else if (n > ExpansionMedium)
        addFinding(analysis, RiskLevel::Medium, u"wide-wildcard"_s, u"attaches to %1 probes"_s.arg(n), 0);
    recomputeRisk(analysis);
}

void ScriptAnalyzer::applyCompile(ScriptAnalysis &analysis, const QByteArray &stderrOutput, bool compileOk)
{
    QList<Diagnostic> found = BpftraceDiagnosticParser::parseAll(QString::fromUtf8(stderrOutput));
    if (!compileOk && std::none_of(found.cbegin(), found.cend(), [](const Diagnostic &d) {
            return d.severity == Diagnostic::Severity::Error;
        })) {
        QString message = QString::fromUtf8(stderrOutput).trimmed().section(u'\n', -1);
        found.append({ Diagnostic::Severity::Error, 0, 0, 0,
            message.isEmpty() ? u"bpftrace could not compile the program"_s : message });
    }
    // bpftrace's own diagnostics are authoritative: they replace our quick structural guesses.
    if (!found.isEmpty() || compileOk)
        analysis.diagnostics = found;
}

void ScriptAnalyzer::analyze(const QString &script, QObject *context, Callback done)
{
    struct Job
    {
        ScriptAnalysis analysis;
        QPointer<QObject> context;
        bool hasContext = false;
        Callback done;
        int pending = 2;
        bool started = true;
        QByteArray listOut;
        bool listOk = false;
        QByteArray compileErr;
        bool compileOk = false;
        bool compileRan = false;
        bool timedOut = false;
    };
    auto job = std::make_shared<Job>();
    job->analysis = analyzeText(script);
    job->context = context;
    job->hasContext = context != nullptr;
    job->done = std::move(done);

    auto finish = [job] {
        if (--job->pending > 0)
            return;
        ScriptAnalysis &a = job->analysis;
        if (job->compileRan) {
            applyCompile(a, job->compileErr, job->compileOk);
            applyExpansion(a, job->listOut, job->listOk);
            a.complete = true;
        }
        if (job->timedOut)
            a.diagnostics.append(
                { Diagnostic::Severity::Warning, 0, 0, 0, u"bpftrace took too long to check the program"_s });
        a.checked = job->compileRan && !job->timedOut;
        if (!a.checked && a.uncheckedReason.isEmpty())
            a.uncheckedReason = job->timedOut ? u"bpftrace took too long to check the program"_s
                                              : u"bpftrace could not be run to check the program"_s;
        recomputeRisk(a);
        if (job->hasContext && !job->context)
            return;
        job->done(a);
    };

    // Two quick bpftrace runs, neither attaching anything: `-l` lists what the program would
    // attach (wildcards expanded) and `--emit-elf` compiles it to a throw-away ELF, which gives
    // the real compile diagnostics.
    auto start = [this, job, finish](const QStringList &args, const QByteArray &stdinData, bool isList) {
        QueryProcess::run(
            this, LaunchCommand { m_command.program, m_command.arguments + args, m_command.viaHelper }, m_timeoutMs,
            [job, finish, isList](const QueryResult &result) {
                job->timedOut = job->timedOut || result.timedOut;
                if (!result.started) {
                    job->analysis.diagnostics.append({ Diagnostic::Severity::Warning, 0, 0, 0,
                        u"cannot run bpftrace to check the program: %1"_s.arg(result.startError) });
                    job->compileRan = false;
                } else if (isList) {
                    job->listOut = result.out;
                    job->listOk = result.ok();
                } else {
                    job->compileErr = result.err;
                    job->compileOk = result.ok();
                    job->compileRan = !result.crashed;
                }
                finish();
            },
            stdinData);
    };

    if (!m_expand) {
        job->pending = 1;
    } else if (script.size() > MaxScriptOnCommandLine) {
        job->pending = 1;
        job->analysis.diagnostics.append(
            { Diagnostic::Severity::Note, 0, 0, 0, u"script too long to list its probes; compile check only"_s });
    } else {
        start({ u"-l"_s, u"-e"_s, script }, QByteArray(), true);
    }
    QStringList compileArgs { u"--emit-elf"_s, u"/dev/null"_s };
    if (job->analysis.needsUnsafe)
        compileArgs.append(u"--unsafe"_s);
    if (script.size() <= MaxScriptOnCommandLine) {
        start(compileArgs << u"-e"_s << script, QByteArray(), false);
    } else if (!m_command.viaHelper) {
        start(compileArgs << u"-"_s, script.toUtf8(), false);
    } else {
        // The elevated helper's stdin carries stop requests, so a program this long has no way in.
        job->analysis.diagnostics.append({ Diagnostic::Severity::Note, 0, 0, 0,
            u"script too long to compile-check through the privilege helper; bpftrace checks it when it runs"_s });
        QTimer::singleShot(0, this, finish); // the callback comes from the event loop, as always
    }
}
