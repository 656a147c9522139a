// SPDX-License-Identifier: GPL-2.0-or-later
#include "../threadcputime.h"
#include "engine/scriptanalyzer.h"
#include "runtestutil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

QString dataDir()
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data");
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return file.readAll();
}

QString astDir()
{
    return dataDir() + u"/ast-0.23.2"_s;
}

QString fixtureScript(const QString &name)
{
    return QString::fromUtf8(readFile(astDir() + u'/' + name + u".bt"_s));
}

QByteArray fixtureAst(const QString &name)
{
    return readFile(astDir() + u'/' + name + u".ast.txt"_s);
}

const Finding *findingWith(const ScriptAnalysis &a, const QString &part)
{
    for (const Finding &f : a.findings) {
        if (f.message.contains(part))
            return &f;
    }
    return nullptr;
}

QStringList codes(const ScriptAnalysis &a)
{
    QStringList out;
    for (const Finding &f : a.findings) {
        if (!out.contains(f.code))
            out.append(f.code);
    }
    out.sort();
    return out;
}

} // namespace

class TestScriptAnalyzer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rules_data();
    void rules();
    void findingLines();
    void structuralDiagnostics_data();
    void structuralDiagnostics();
    void reasonsHighestFirst();
    void jsonRoundTrip();
    void expansion_data();
    void expansion();
    void compileDiagnostics();
    void analyzeWithFakeBpftrace();
    void analyzeReportsCompileError();
    void analyzeThroughTheHelper();
    void sshFailureIsNotChecked();
    void tooLongToExpandIsSaidAndNotLow();
    void repeatedAnalysisIsCached();
    void analyzeCompileOnly();
    void analyzeWithoutBpftrace();
    void fileReadingPreprocessorIsNeverCompiled();
    void analyzeSkipsDeadContext();
    void analyzeTextIsFast();
    void astFindings_data();
    void astFindings();
    void astWinsOverText();
    void textWinsWhenHigher();
    void functionBodyJudgedInItsCallers();
    void astUnavailable();
    void wildcardMatchingNoProbe();
    void tlsFromExpansion();
    void analyzeWithAst();
    void analyzeWithOldBpftrace();
    void notCheckedIsAtLeastMedium();
    void targetWithoutAnalyzerAnswersLater();
    void crashAfterTheAstStillCounts();
    void jsonWithAstFields();
    void mapDetailsFromTheAst();
    void literalAttachPoints_data();
    void literalAttachPoints();
    void literalScriptNeedsOneBpftrace();
    void astWildcardIsListedAfterAll();
    void noAstMeansListed();
    void failedBeforeTheAstIsNotListed();
    void tooLongLiteralIsCounted();
    void attachCountIsBpftracesOwn_data();
    void attachCountIsBpftracesOwn();

private:
    QString m_fake;
};

void TestScriptAnalyzer::initTestCase()
{
    m_fake = dataDir() + u"/fake-bpftrace.sh"_s;
    QVERIFY(QFileInfo(m_fake).isExecutable());
    qputenv("FAKE_BPFTRACE_MODE", "ok");
    qunsetenv("FAKE_BPFTRACE_LOG");
}

void TestScriptAnalyzer::rules_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QStringList>("specs");
    QTest::addColumn<QStringList>("unsafe");
    QTest::addColumn<QString>("risk");
    QTest::addColumn<QStringList>("findingCodes");

    const QStringList none;
    QTest::newRow("plain tracepoint") << u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s
                                      << QStringList { u"tracepoint:syscalls:sys_enter_openat"_s } << none << u"low"_s
                                      << none;
    QTest::newRow("BEGIN and END") << u"BEGIN { printf(\"hi\\n\"); }\nEND { clear(@x); }"_s
                                   << QStringList { u"BEGIN"_s, u"END"_s } << none << u"low"_s << none;
    QTest::newRow("several attach points, one block")
        << u"tracepoint:sched:sched_wakeup,\n  tracepoint:sched:sched_wakeup_new ,kprobe:foo\n{ @[probe] = count(); }"_s
        << QStringList { u"tracepoint:sched:sched_wakeup"_s, u"tracepoint:sched:sched_wakeup_new"_s, u"kprobe:foo"_s }
        << none << u"low"_s << none;
    QTest::newRow("predicate with slashes")
        << u"tracepoint:syscalls:sys_exit_read /args.ret > 0 && pid / 2 == 1/ { @ = sum(args.ret); }"_s
        << QStringList { u"tracepoint:syscalls:sys_exit_read"_s } << none << u"low"_s << none;
    QTest::newRow("uprobe path and predicate")
        << u"uprobe:/bin/bash:readline /pid == 42/ { @ = count(); }"_s << QStringList { u"uprobe:/bin/bash:readline"_s }
        << none << u"low"_s << none;
    QTest::newRow("line comment hides probe and system()")
        << u"// kprobe:do_nanosleep { system(\"rm -rf /\"); }\nBEGIN { exit(); }"_s << QStringList { u"BEGIN"_s }
        << none << u"low"_s << none;
    QTest::newRow("block comment hides probe") << u"/* profile:hz:99999 { signal(9); } */\ninterval:s:1 { exit(); }"_s
                                               << QStringList { u"interval:s:1"_s } << none << u"low"_s << none;
    QTest::newRow("string that looks like code")
        << u"BEGIN { printf(\"system(\\\"ls\\\") kprobe:x { signal(9) } // not a comment\\n\"); }"_s
        << QStringList { u"BEGIN"_s } << none << u"low"_s << none;
    QTest::newRow("braces inside strings") << u"BEGIN { printf(\"}}}{\\n\"); }\nEND { }"_s
                                           << QStringList { u"BEGIN"_s, u"END"_s } << none << u"low"_s << none;
    QTest::newRow("maps and variables named like builtins")
        << u"BEGIN { @system = 1; $signal = 2; @x.override = 3; @cat[1] = 4; }"_s << QStringList { u"BEGIN"_s } << none
        << u"low"_s << none;
    QTest::newRow("nested blocks") << u"tracepoint:sched:sched_switch { if (pid > 0) { @a = 1; } else { @b = 2; } }"_s
                                   << QStringList { u"tracepoint:sched:sched_switch"_s } << none << u"low"_s << none;
    QTest::newRow("struct, include, define and config are not probes")
        << u"#include <linux/sched.h>\n#define X 1\nstruct foo { int a; };\nconfig = { max_map_keys = 10 }\nBEGIN { }"_s
        << QStringList { u"BEGIN"_s } << none << u"low"_s << none;
    QTest::newRow("system()") << u"tracepoint:syscalls:sys_enter_kill { system(\"echo %d\", pid); }"_s
                              << QStringList { u"tracepoint:syscalls:sys_enter_kill"_s } << QStringList { u"system"_s }
                              << u"high"_s << QStringList { u"unsafe-builtin"_s };
    QTest::newRow("signal()") << u"tracepoint:syscalls:sys_enter_openat /comm == \"x\"/ { signal(\"KILL\"); }"_s
                              << QStringList { u"tracepoint:syscalls:sys_enter_openat"_s }
                              << QStringList { u"signal"_s } << u"high"_s << QStringList { u"unsafe-builtin"_s };
    QTest::newRow("override()") << u"kprobe:should_fail_bio { override(-5); }"_s
                                << QStringList { u"kprobe:should_fail_bio"_s } << QStringList { u"override"_s }
                                << u"high"_s << QStringList { u"kernel-write"_s };
    QTest::newRow("all three, once each")
        << u"kprobe:a { system(\"x\"); system(\"y\"); }\nkprobe:b { signal(9); override(1); }"_s
        << QStringList { u"kprobe:a"_s, u"kprobe:b"_s } << QStringList { u"system"_s, u"signal"_s, u"override"_s }
        << u"high"_s << QStringList { u"kernel-write"_s, u"unsafe-builtin"_s };
    QTest::newRow("space before parenthesis")
        << u"BEGIN { system (\"ls\"); }"_s << QStringList { u"BEGIN"_s } << QStringList { u"system"_s } << u"high"_s
        << QStringList { u"unsafe-builtin"_s };
    QTest::newRow("profile 99 Hz") << u"profile:hz:99 { @[kstack] = count(); }"_s << QStringList { u"profile:hz:99"_s }
                                   << none << u"low"_s << none;
    QTest::newRow("profile 499 Hz") << u"profile:hz:499 { @[kstack] = count(); }"_s
                                    << QStringList { u"profile:hz:499"_s } << none << u"medium"_s
                                    << QStringList { u"high-frequency"_s };
    QTest::newRow("profile 4999 Hz") << u"profile:hz:4999 { @[kstack] = count(); }"_s
                                     << QStringList { u"profile:hz:4999"_s } << none << u"high"_s
                                     << QStringList { u"high-frequency"_s };
    QTest::newRow("profile every 100 us") << u"profile:us:100 { @ = count(); }"_s << QStringList { u"profile:us:100"_s }
                                          << none << u"high"_s << QStringList { u"high-frequency"_s };
    QTest::newRow("alias p:hz") << u"p:hz:9999 { @ = count(); }"_s << QStringList { u"p:hz:9999"_s } << none
                                << u"high"_s << QStringList { u"high-frequency"_s };
    QTest::newRow("interval 1 s") << u"interval:s:1 { print(@x); }"_s << QStringList { u"interval:s:1"_s } << none
                                  << u"low"_s << none;
    QTest::newRow("interval 5 ms") << u"i:ms:5 { @ = count(); }"_s << QStringList { u"i:ms:5"_s } << none << u"medium"_s
                                   << QStringList { u"high-frequency"_s };
    QTest::newRow("interval 10 us") << u"interval:us:10 { @ = count(); }"_s << QStringList { u"interval:us:10"_s }
                                    << none << u"high"_s << QStringList { u"high-frequency"_s };
    QTest::newRow("software every event")
        << u"software:page-faults:1 { @[comm] = count(); }"_s << QStringList { u"software:page-faults:1"_s } << none
        << u"medium"_s << QStringList { u"high-frequency"_s };
    QTest::newRow("hardware sampled") << u"hardware:cache-misses:1000000 { @[comm] = count(); }"_s
                                      << QStringList { u"hardware:cache-misses:1000000"_s } << none << u"low"_s << none;
    QTest::newRow("kprobe wildcard") << u"kprobe:vfs_* { @[func] = count(); }"_s << QStringList { u"kprobe:vfs_*"_s }
                                     << none << u"medium"_s << QStringList { u"wide-wildcard"_s };
    QTest::newRow("kfunc wildcard") << u"kfunc:vmlinux:tcp_* { @[func] = count(); }"_s
                                    << QStringList { u"kfunc:vmlinux:tcp_*"_s } << none << u"medium"_s
                                    << QStringList { u"wide-wildcard"_s };
    QTest::newRow("fentry wildcard") << u"fentry:* { @ = count(); }"_s << QStringList { u"fentry:*"_s } << none
                                     << u"medium"_s << QStringList { u"wide-wildcard"_s };
    QTest::newRow("tracepoint wildcard within a category")
        << u"tracepoint:syscalls:sys_enter_read* { @ = count(); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_read*"_s } << none << u"low"_s << none;
    QTest::newRow("tracepoint wildcard over categories")
        << u"tracepoint:*:* { @[probe] = count(); }"_s << QStringList { u"tracepoint:*:*"_s } << none << u"medium"_s
        << QStringList { u"wide-wildcard"_s };
    QTest::newRow("rawtracepoint") << u"rawtracepoint:sched_switch { @ = count(); }"_s
                                   << QStringList { u"rawtracepoint:sched_switch"_s } << none << u"low"_s << none;
    QTest::newRow("uprobe on libssl")
        << u"uprobe:/usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_write { printf(\"%s\\n\", str(arg1, arg2)); }"_s
        << QStringList { u"uprobe:/usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_write"_s } << none << u"high"_s
        << QStringList { u"tls"_s };
    QTest::newRow("uretprobe on libcrypto") << u"uretprobe:libcrypto:EVP_DecryptFinal_ex { @ = count(); }"_s
                                            << QStringList { u"uretprobe:libcrypto:EVP_DecryptFinal_ex"_s } << none
                                            << u"medium"_s << QStringList { u"tls"_s };
    QTest::newRow("gnutls via alias u") << u"u:/usr/lib/libgnutls.so.30:gnutls_record_send { @ = count(); }"_s
                                        << QStringList { u"u:/usr/lib/libgnutls.so.30:gnutls_record_send"_s } << none
                                        << u"medium"_s << QStringList { u"tls"_s };
    QTest::newRow("uprobe reading strings")
        << u"uretprobe:/bin/bash:get_string_value { printf(\"%s\\n\", str(retval)); }"_s
        << QStringList { u"uretprobe:/bin/bash:get_string_value"_s } << none << u"medium"_s
        << QStringList { u"user-memory"_s };
    QTest::newRow("uprobe wildcard") << u"uprobe:/bin/bash:* { @ = count(); }"_s
                                     << QStringList { u"uprobe:/bin/bash:*"_s } << none << u"medium"_s
                                     << QStringList { u"wide-wildcard"_s };
    // Paths and names out of other processes' memory: worth a look, not an alarm.
    QTest::newRow("str of a path on openat")
        << u"tracepoint:syscalls:sys_enter_openat { printf(\"%s\\n\", str(args.filename)); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_openat"_s } << none << u"medium"_s
        << QStringList { u"user-memory"_s };
    // issue 10: rated low and auto-approved, it captured a password another process wrote.
    QTest::newRow("str of every write buffer")
        << u"tracepoint:syscalls:sys_enter_write { @[comm] = count(); $s = str(args.buf, args.count); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_write"_s } << none << u"high"_s
        << QStringList { u"user-memory"_s };
    QTest::newRow("str of read buffers on exit, via a map")
        << u"t:syscalls:sys_enter_read { @b[tid] = args.buf; }\nt:syscalls:sys_exit_read { @s[str(@b[tid])] = count(); }"_s
        << QStringList { u"t:syscalls:sys_enter_read"_s, u"t:syscalls:sys_exit_read"_s } << none << u"high"_s
        << QStringList { u"user-memory"_s };
    QTest::newRow("recvfrom buffer") << u"tracepoint:syscalls:sys_enter_recvfrom { $x = buf(args.ubuf, 64); }"_s
                                     << QStringList { u"tracepoint:syscalls:sys_enter_recvfrom"_s } << none << u"high"_s
                                     << QStringList { u"user-memory"_s };
    QTest::newRow("wildcard over send syscalls")
        << u"tracepoint:syscalls:sys_enter_send* { @[str(args.buff)] = count(); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_send*"_s } << none << u"high"_s
        << QStringList { u"user-memory"_s };
    QTest::newRow("kprobe on vfs_write") << u"kprobe:vfs_write { @[str(arg1)] = count(); }"_s
                                         << QStringList { u"kprobe:vfs_write"_s } << none << u"high"_s
                                         << QStringList { u"user-memory"_s };
    QTest::newRow("exec argv") << u"tracepoint:syscalls:sys_enter_execve { join(args.argv); }"_s
                               << QStringList { u"tracepoint:syscalls:sys_enter_execve"_s } << none << u"high"_s
                               << QStringList { u"exec-args"_s };
    QTest::newRow("exec program path only")
        << u"tracepoint:syscalls:sys_enter_execve { @[str(args.filename)] = count(); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_execve"_s } << none << u"medium"_s
        << QStringList { u"user-memory"_s };
    QTest::newRow("counting writes is low")
        << u"tracepoint:syscalls:sys_enter_write { @[comm] = sum(args.count); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_write"_s } << none << u"low"_s << none;
    // issue 10: rated medium, the TLS check missed the wildcard path.
    QTest::newRow("TLS wildcard path")
        << u"uprobe:/usr/lib/x86_64-linux-gnu/libss*.so.3:SSL_write { printf(\"%s\\n\", str(arg1)); }"_s
        << QStringList { u"uprobe:/usr/lib/x86_64-linux-gnu/libss*.so.3:SSL_write"_s } << none << u"high"_s
        << QStringList { u"tls"_s, u"wide-wildcard"_s };
    QTest::newRow("TLS wildcard path, counting only")
        << u"uprobe:/usr/lib/x86_64-linux-gnu/libss*.so.3:SSL_write { @ = count(); }"_s
        << QStringList { u"uprobe:/usr/lib/x86_64-linux-gnu/libss*.so.3:SSL_write"_s } << none << u"medium"_s
        << QStringList { u"tls"_s, u"wide-wildcard"_s };
    QTest::newRow("TLS function in a static binary")
        << u"uprobe:/usr/bin/curl:SSL_read { $b = buf(arg1, 64); }"_s
        << QStringList { u"uprobe:/usr/bin/curl:SSL_read"_s } << none << u"high"_s << QStringList { u"tls"_s };
    QTest::newRow("readline") << u"uretprobe:/bin/bash:readline { printf(\"%s\\n\", str(retval)); }"_s
                              << QStringList { u"uretprobe:/bin/bash:readline"_s } << none << u"high"_s
                              << QStringList { u"user-memory"_s };
    QTest::newRow("feedback loop: printf on write")
        << u"tracepoint:syscalls:sys_enter_write { printf(\"%d\\n\", args.count); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_write"_s } << none << u"high"_s
        << QStringList { u"feedback-loop"_s };
    QTest::newRow("feedback loop: every syscall")
        << u"tracepoint:raw_syscalls:sys_enter { printf(\"%d\\n\", args.id); }"_s
        << QStringList { u"tracepoint:raw_syscalls:sys_enter"_s } << none << u"high"_s
        << QStringList { u"feedback-loop"_s };
    QTest::newRow("feedback loop filtered")
        << u"tracepoint:syscalls:sys_exit_write /pid == 42/ { printf(\"%d\\n\", args.ret); }"_s
        << QStringList { u"tracepoint:syscalls:sys_exit_write"_s } << none << u"medium"_s
        << QStringList { u"feedback-loop"_s };
    QTest::newRow("cat after a newline") << u"BEGIN { cat\n(\"/root-only-file\"); }"_s << QStringList { u"BEGIN"_s }
                                         << none << u"high"_s << QStringList { u"file-read"_s };
    QTest::newRow("system after a comment")
        << u"BEGIN { system /* hidden */\n // more\n (\"id\"); }"_s << QStringList { u"BEGIN"_s }
        << QStringList { u"system"_s } << u"high"_s << QStringList { u"unsafe-builtin"_s };
    QTest::newRow("usdt") << u"usdt:/usr/bin/python3:python:function__entry { @[str(arg1)] = count(); }"_s
                          << QStringList { u"usdt:/usr/bin/python3:python:function__entry"_s } << none << u"medium"_s
                          << QStringList { u"user-memory"_s };
    QTest::newRow("buf()") << u"tracepoint:syscalls:sys_enter_write { printf(\"%r\\n\", buf(args.buf, 16)); }"_s
                           << QStringList { u"tracepoint:syscalls:sys_enter_write"_s } << none << u"high"_s
                           << QStringList { u"feedback-loop"_s, u"user-memory"_s };
    QTest::newRow("buf() of kernel memory")
        << u"kprobe:do_nanosleep { $b = buf(arg0, 16); }"_s << QStringList { u"kprobe:do_nanosleep"_s } << none
        << u"medium"_s << QStringList { u"raw-memory"_s };
    // Any file: what cat() prints goes to whoever asked for the output, read as root.
    QTest::newRow("cat of a public file")
        << u"interval:s:1 { cat(\"/proc/loadavg\"); }"_s << QStringList { u"interval:s:1"_s } << none << u"high"_s
        << QStringList { u"file-read"_s };
    QTest::newRow("cat of /etc/shadow") << u"BEGIN { cat(\"/etc/shadow\"); exit(); }"_s << QStringList { u"BEGIN"_s }
                                        << none << u"high"_s << QStringList { u"file-read"_s };
    QTest::newRow("cat of a computed path")
        << u"BEGIN { cat(\"/home/%s/.bashrc\", $1); exit(); }"_s << QStringList { u"BEGIN"_s } << none << u"high"_s
        << QStringList { u"file-read"_s };
    QTest::newRow("watchpoint") << u"watchpoint:0x10000000:8:w { @ = count(); }"_s
                                << QStringList { u"watchpoint:0x10000000:8:w"_s } << none << u"medium"_s
                                << QStringList { u"watchpoint"_s };
    QTest::newRow("system() in a function")
        << u"fn run(): void { system(\"id\"); }\nBEGIN { run(); }"_s << QStringList { u"BEGIN"_s }
        << QStringList { u"system"_s } << u"high"_s << QStringList { u"unsafe-builtin"_s };
    QTest::newRow("empty script") << QString() << QStringList {} << none << u"low"_s << none;
}

void TestScriptAnalyzer::rules()
{
    QFETCH(QString, script);
    QFETCH(QStringList, specs);
    QFETCH(QStringList, unsafe);
    QFETCH(QString, risk);
    QFETCH(QStringList, findingCodes);
    const ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    QCOMPARE(a.probeSpecs, specs);
    QCOMPARE(a.unsafeBuiltins, unsafe);
    QCOMPARE(a.needsUnsafe, !unsafe.isEmpty());
    QCOMPARE(riskLevelName(a.risk), risk);
    QCOMPARE(codes(a), findingCodes);
    QVERIFY2(!a.hasErrors() || script.isEmpty(), qPrintable(a.diagnostics.value(0).message));
    QCOMPARE(a.complete, false);
    QCOMPARE(a.attachCount, -1);
    QCOMPARE(a.expanded, false);
    for (const Finding &f : a.findings)
        QVERIFY(!f.message.isEmpty());
}

void TestScriptAnalyzer::findingLines()
{
    const ScriptAnalysis a = ScriptAnalyzer::analyzeText(
        u"BEGIN { }\n\n// system() in a comment\ntracepoint:syscalls:sys_enter_kill\n{\n    signal(9);\n}\n"
        "profile:hz:5000 { @ = count(); }\n"_s);
    QCOMPARE(a.findings.size(), 2);
    for (const Finding &f : a.findings) {
        if (f.code == u"unsafe-builtin")
            QCOMPARE(f.line, 6);
        else if (f.code == u"high-frequency")
            QCOMPARE(f.line, 8);
        else
            QFAIL(qPrintable(f.code));
    }
}

void TestScriptAnalyzer::structuralDiagnostics_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("unclosed block") << u"BEGIN {\n  printf(\"x\");\n"_s << 1 << u"unmatched '{'"_s;
    QTest::newRow("stray closing brace") << u"BEGIN { }\n}\n"_s << 2 << u"unmatched '}'"_s;
    QTest::newRow("unterminated string") << u"BEGIN {\n printf(\"oops);\n}\n"_s << 2 << u"unterminated string"_s;
    QTest::newRow("unterminated comment") << u"BEGIN { }\n/* never closed\n"_s << 2 << u"unterminated /*"_s;
    QTest::newRow("no probe at all") << u"@x = 1;"_s << 0 << u"no probe"_s;
}

void TestScriptAnalyzer::structuralDiagnostics()
{
    QFETCH(QString, script);
    QFETCH(int, line);
    QFETCH(QString, messagePart);
    const ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    QVERIFY(a.hasErrors());
    bool found = false;
    for (const Diagnostic &d : a.diagnostics) {
        if (d.message.contains(messagePart)) {
            QCOMPARE(d.line, line);
            found = true;
        }
    }
    QVERIFY2(found, qPrintable(a.diagnostics.value(0).message));
}

void TestScriptAnalyzer::reasonsHighestFirst()
{
    const ScriptAnalysis a = ScriptAnalyzer::analyzeText(
        u"interval:ms:5 { @ = count(); }\nBEGIN { system(\"id\"); }\nkprobe:vfs_* { @ = count(); }"_s);
    QCOMPARE(a.risk, RiskLevel::High);
    const QStringList reasons = a.reasons();
    QCOMPARE(reasons.size(), 3);
    QVERIFY(reasons.at(0).startsWith(u"high: system()"_s));
    QVERIFY(reasons.at(0).endsWith(u"(line 2)"_s));
    QVERIFY(reasons.at(1).startsWith(u"medium: "_s));
    QVERIFY(reasons.at(2).startsWith(u"medium: "_s));
}

void TestScriptAnalyzer::jsonRoundTrip()
{
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(
        u"profile:hz:4999 { @ = count(); }\nuprobe:/lib/libssl.so.3:SSL_read { signal(9); }"_s);
    ScriptAnalyzer::applyExpansion(a, "profile:hz:\nuprobe:/lib/libssl.so.3:SSL_read\n", true);
    a.diagnostics.append({ Diagnostic::Severity::Warning, 2, 3, 9, u"something"_s });
    a.complete = true;
    const QJsonObject json = a.toJson();
    QCOMPARE(json.value(u"risk"_s).toString(), u"high"_s);
    QCOMPARE(json.value(u"attachCount"_s).toInt(), 2);
    QCOMPARE(json.value(u"reasons"_s).toArray().size(), a.findings.size());
    const ScriptAnalysis b = ScriptAnalysis::fromJson(json);
    QCOMPARE(b.probeSpecs, a.probeSpecs);
    QCOMPARE(b.attachList, a.attachList);
    QCOMPARE(b.attachCount, a.attachCount);
    QCOMPARE(b.expanded, a.expanded);
    QCOMPARE(b.unsafeBuiltins, a.unsafeBuiltins);
    QCOMPARE(b.needsUnsafe, a.needsUnsafe);
    QCOMPARE(b.findings, a.findings);
    QCOMPARE(b.diagnostics, a.diagnostics);
    QCOMPARE(b.risk, a.risk);
    QCOMPARE(b.complete, a.complete);
    QCOMPARE(ScriptAnalysis::fromJson({}).attachCount, -1);
}

void TestScriptAnalyzer::expansion_data()
{
    QTest::addColumn<int>("probes");
    QTest::addColumn<QString>("risk");
    QTest::newRow("a few") << 6 << u"low"_s;
    QTest::newRow("hundreds") << 300 << u"medium"_s;
    QTest::newRow("thousands") << 5000 << u"high"_s;
}

void TestScriptAnalyzer::expansion()
{
    QFETCH(int, probes);
    QFETCH(QString, risk);
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(u"kprobe:x* { @ = count(); }"_s);
    QByteArray out;
    for (int i = 0; i < probes; ++i)
        out += "kprobe:x" + QByteArray::number(i) + '\n';
    out += "WARNING: noise that is not a probe\n\n";
    ScriptAnalyzer::applyExpansion(a, out, true);
    QCOMPARE(a.attachCount, probes);
    QCOMPARE(a.attachList.size(), probes);
    QVERIFY(a.expanded);
    // The text rule already says "medium" for a kprobe wildcard; the count can only raise it.
    const QString expected = risk == u"low" ? u"medium"_s : risk;
    QCOMPARE(riskLevelName(a.risk), expected);

    ScriptAnalysis failed = ScriptAnalyzer::analyzeText(u"kprobe:x* { }"_s);
    ScriptAnalyzer::applyExpansion(failed, out, false);
    QCOMPARE(failed.attachCount, -1);
    QVERIFY(!failed.expanded);
}

void TestScriptAnalyzer::compileDiagnostics()
{
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(u"BEGIN { }\ntracepoint:x:y { @x = args.nosuch; }"_s);
    ScriptAnalyzer::applyCompile(a,
        "WARNING: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace.\n"
        "stdin:2:27-33: ERROR: Struct/union does not contain a field named 'nosuch'\n"
        "tracepoint:x:y { @x = args.nosuch; }\n"
        "                          ~~~~~~\n",
        false);
    QCOMPARE(a.diagnostics.size(), 1);
    QCOMPARE(a.diagnostics.first().line, 2);
    QCOMPARE(a.diagnostics.first().severity, Diagnostic::Severity::Error);
    QVERIFY(a.hasErrors());

    ScriptAnalysis b = ScriptAnalyzer::analyzeText(u"BEGIN { }"_s);
    ScriptAnalyzer::applyCompile(b, "something went wrong without a location\n", false);
    QVERIFY(b.hasErrors());

    ScriptAnalysis c = ScriptAnalyzer::analyzeText(u"BEGIN { }"_s);
    ScriptAnalyzer::applyCompile(c, "WARNING: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace.\n", true);
    QVERIFY(c.diagnostics.isEmpty());
}

void TestScriptAnalyzer::analyzeWithFakeBpftrace()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(u"tracepoint:syscalls:sys_enter_read* { @[probe] = count(); }"_s, this,
        [&result](const ScriptAnalysis &a) { result = a; });
    QVERIFY(!result); // asynchronous
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(result->expanded);
    QCOMPARE(result->attachCount, 2);
    QCOMPARE(result->attachList,
        (QStringList { u"tracepoint:syscalls:sys_enter_read"_s, u"tracepoint:syscalls:sys_enter_readv"_s }));
    QVERIFY(!result->hasErrors());
}

void TestScriptAnalyzer::analyzeReportsCompileError()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(u"BEGIN {\n  nosuch();\n}"_s, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(result->hasErrors());
    QCOMPARE(result->diagnostics.first().line, 2);
    QCOMPARE(result->diagnostics.first().column, 3);
}

// Through the elevated helper stdin carries stop requests: the program goes on the command line,
// and one too long for it is not compile-checked (said so) instead of being fed to the helper.
void TestScriptAnalyzer::analyzeThroughTheHelper()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, true });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(u"BEGIN {\n  nosuch();\n}"_s, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(result->hasErrors());
    QCOMPARE(result->diagnostics.first().line, 2);

    const QString huge = u"BEGIN { nosuch(); }\n"_s + QString(200'000, u'/');
    result.reset();
    analyzer.analyze(huge, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete); // the analysis is over, but bpftrace never saw the program
    QVERIFY(!result->checked);
    QVERIFY(result->risk != RiskLevel::Low);
    QVERIFY(std::any_of(result->diagnostics.cbegin(), result->diagnostics.cend(),
        [](const Diagnostic &d) { return d.message.contains(u"through the privilege helper"_s); }));
}

// A remote target's query runs over ssh: exit status 255 there is ssh's own failure (the host
// unreachable, the key refused), so bpftrace never judged the program. Told by the command, not
// by what stderr says: the same 255 and text from a local helper is bpftrace's own answer.
void TestScriptAnalyzer::sshFailureIsNotChecked()
{
    const QString refused = u"echo 'ssh: connect to host db1 port 22: Connection refused' >&2; exit 255"_s;
    auto launcher = [&refused](bool overSsh) {
        return [&refused, overSsh](const QStringList &) {
            LaunchCommand command { u"/bin/sh"_s, { u"-c"_s, refused }, true };
            command.overSsh = overSsh;
            return command;
        };
    };

    ScriptAnalyzer remote;
    remote.setLauncher(launcher(true));
    std::optional<ScriptAnalysis> result;
    remote.analyze(u"tracepoint:syscalls:sys_enter_openat { @ = count(); }"_s, this,
        [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(!result->checked);
    QVERIFY(!result->hasErrors());
    QCOMPARE(result->uncheckedReason,
        u"bpftrace did not check it on the target: ssh: connect to host db1 port 22: Connection refused"_s);
    QVERIFY(result->risk != RiskLevel::Low);

    ScriptAnalyzer local;
    local.setLauncher(launcher(false));
    result.reset();
    local.analyze(u"tracepoint:syscalls:sys_enter_openat { @ = count(); }"_s, this,
        [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->checked);
    QVERIFY(result->uncheckedReason.isEmpty());
    QVERIFY(result->hasErrors()); // bpftrace's failure, shown as its diagnostic
}

// A script too long for `bpftrace -l -e` is compile-checked through stdin but its wildcards are
// never expanded: the person is told, and it is not low risk.
void TestScriptAnalyzer::tooLongToExpandIsSaidAndNotLow()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    std::optional<ScriptAnalysis> result;
    const QString huge = u"tracepoint:syscalls:sys_enter_read* { @ = count(); }\n"_s + QString(200'000, u'/');
    analyzer.analyze(huge, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(!result->expanded);
    QCOMPARE(result->attachCount, -1);
    QVERIFY(result->risk >= RiskLevel::Medium);
    const auto it = std::find_if(result->findings.cbegin(), result->findings.cend(),
        [](const Finding &f) { return f.code == u"not-expanded"_s; });
    QVERIFY(it != result->findings.cend());
    QCOMPARE(it->level, RiskLevel::Medium);
    QVERIFY(it->message.contains(u"attach count is unknown"_s));
}

// The same script asked again (validate_program, then exec_program) is answered from the cache
// without starting bpftrace; a different script, another bpftrace or an unchecked verdict is not.
void TestScriptAnalyzer::repeatedAnalysisIsCached()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString log = dir.filePath(u"calls.log"_s);
    ScopedEnv logEnv("FAKE_BPFTRACE_LOG", log.toUtf8());
    const auto calls = [&log] {
        QFile file(log);
        return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : 0;
    };
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    const auto analyze = [&](const QString &script) {
        std::optional<ScriptAnalysis> result;
        analyzer.analyze(script, this, [&result](const ScriptAnalysis &a) { result = a; });
        if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
            return ScriptAnalysis {};
        return *result;
    };
    const QString script = u"tracepoint:syscalls:sys_enter_read* { @ = count(); }"_s;
    const ScriptAnalysis first = analyze(script);
    QVERIFY(first.complete && first.checked);
    const qsizetype afterFirst = calls();
    QCOMPARE(afterFirst, 2); // -l and the compile check
    const ScriptAnalysis second = analyze(script);
    QCOMPARE(calls(), afterFirst);
    QCOMPARE(second.risk, first.risk);
    QCOMPARE(second.findings, first.findings);
    QCOMPARE(second.attachList, first.attachList);
    QCOMPARE(second.checked, first.checked);
    QCOMPARE(analyzer.cachedCount(), 1);

    analyze(script + u" "_s);
    QCOMPARE(calls(), afterFirst + 2);
    analyzer.setBpftraceCommand({ m_fake, { u"--"_s }, false }); // another judge: nothing reused
    QCOMPARE(analyzer.cachedCount(), 0);

    // A verdict bpftrace did not reach is asked again next time.
    ScriptAnalyzer missing;
    missing.setBpftraceCommand({ u"/nonexistent/bpftrace"_s, {}, false });
    std::optional<ScriptAnalysis> result;
    missing.analyze(script, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(!result->checked);
    QCOMPARE(missing.cachedCount(), 0);
}

void TestScriptAnalyzer::analyzeCompileOnly()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    analyzer.setExpansionEnabled(false);
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(
        u"tracepoint:syscalls:sys_enter_read* { }"_s, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(!result->expanded);
    QCOMPARE(result->attachCount, -1);
    QVERIFY(!result->hasErrors());
}

void TestScriptAnalyzer::analyzeWithoutBpftrace()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ u"/nonexistent/bpftrace"_s, {}, false });
    std::optional<ScriptAnalysis> result;
    int calls = 0;
    analyzer.analyze(u"BEGIN { system(\"x\"); }"_s, this, [&](const ScriptAnalysis &a) {
        result = a;
        ++calls;
    });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QTest::qWait(50);
    QCOMPARE(calls, 1); // exactly once even though both processes failed
    QVERIFY(result->complete);
    QVERIFY(!result->checked);
    QVERIFY(!result->uncheckedReason.isEmpty());
    QCOMPARE(result->risk, RiskLevel::High); // the text analysis still stands
    QVERIFY(!result->diagnostics.isEmpty());
    QCOMPARE(result->diagnostics.first().severity, Diagnostic::Severity::Warning);
}

void TestScriptAnalyzer::analyzeSkipsDeadContext()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    int dead = 0;
    auto *context = new QObject;
    analyzer.analyze(u"BEGIN { }"_s, context, [&dead](const ScriptAnalysis &) { ++dead; });
    delete context;
    std::optional<ScriptAnalysis> live;
    analyzer.analyze(u"BEGIN { }"_s, nullptr, [&live](const ScriptAnalysis &a) { live = a; });
    QTRY_VERIFY_WITH_TIMEOUT(live.has_value(), 10000);
    QTest::qWait(50);
    QCOMPARE(dead, 0);
}

void TestScriptAnalyzer::analyzeTextIsFast()
{
    // A 2,000-line script, analysed as on every keystroke.
    QString script;
    for (int i = 0; i < 500; ++i)
        script += u"// probe %1\ntracepoint:syscalls:sys_enter_openat /pid == %1/\n{ printf(\"%s\\n\", "
                  "str(args.filename)); }\n\n"_s.arg(i);
    // This thread's CPU time: on a loaded machine the wall clock also counts waiting for a core.
    ThreadCpuTimer timer;
    const ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    const qint64 ms = timer.elapsed();
    QCOMPARE(a.probeSpecs.size(), 500);
    qInfo("analyzeText of %lld lines: %lld ms of CPU time", qint64(script.count(u'\n')), ms);
    QVERIFY2(ms < 500, qPrintable(QString::number(ms)));
}

// The recorded AST of each fixture program (tests/engine/data/ast-0.23.2) through the rules.
void TestScriptAnalyzer::astFindings_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("risk");
    QTest::addColumn<QStringList>("findingCodes");
    QTest::addColumn<QString>("message"); ///< part of the key finding's message
    QTest::addColumn<int>("line"); ///< of that finding

    QTest::newRow("write buffer") << u"write-buffer"_s << u"high"_s
                                  << QStringList { u"feedback-loop"_s, u"user-memory"_s }
                                  << u"str(args.buf, args.count) copies the buffer of every write() on the system"_s
                                  << 1;
    QTest::newRow("write buffer feeds back")
        << u"write-buffer"_s << u"high"_s << QStringList { u"feedback-loop"_s, u"user-memory"_s }
        << u"printf() in a probe on write() fires on bpftrace's own output"_s << 1;
    QTest::newRow("cat after a newline") << u"cat-newline"_s << u"high"_s << QStringList { u"file-read"_s }
                                         << u"cat(\"/etc/shadow\") reads a private file as root"_s << 1;
    QTest::newRow("exec argv") << u"exec-argv"_s << u"high"_s << QStringList { u"exec-args"_s }
                               << u"join(args.argv) copies the command line of every program started"_s << 1;
    QTest::newRow("unsafe") << u"unsafe"_s << u"high"_s << QStringList { u"unsafe-builtin"_s }
                            << u"signal(\"SIGKILL\")"_s << 1;
    QTest::newRow("TLS wildcard") << u"tls-wildcard"_s << u"high"_s << QStringList { u"tls"_s, u"wide-wildcard"_s }
                                  << u"str(arg1) copies what libssl.so.3 handles"_s << 1;
    QTest::newRow("paths on open") << u"maps-and-flow"_s << u"medium"_s << QStringList { u"user-memory"_s }
                                   << u"str(args.filename) reads a path or name out of the memory of every process "
                                      u"calling openat()"_s
                                   << 4;
    QTest::newRow("uprobes") << u"uprobes"_s << u"medium"_s << QStringList { u"user-memory"_s }
                             << u"buf(arg0, 16) reads a string out of the traced program's memory"_s << 3;
    // An unfiltered printf() on sched_switch fires on bpftrace's own wake-ups.
    QTest::newRow("while loops and casts")
        << u"while-indent"_s << u"medium"_s << QStringList { u"feedback-loop"_s }
        << u"printf() in a probe on sched_switch with no filter fires on bpftrace's own wake-ups"_s << 2;
    QTest::newRow("system() in a function") << u"fn-and-config"_s << u"high"_s << QStringList { u"unsafe-builtin"_s }
                                            << u"system() runs a shell command"_s << 2;
    QTest::newRow("read buffer through a map")
        << u"stored-pointer"_s << u"high"_s << QStringList { u"feedback-loop"_s, u"user-memory"_s }
        << u"str(@r[tid], args.ret) copies the buffer of the read() calls that "
           u"pass /@r[tid]/"_s
        << 2;
    // Reads through user pointers are captures too, judged by the probe as str() is.
    QTest::newRow("deref of every write buffer")
        << u"deref-write-key"_s << u"high"_s << QStringList { u"user-memory"_s }
        << u"*(uint64 *)args.buf reads the buffer of every write() on the system"_s << 1;
    QTest::newRow("deref in a loop, filtered")
        << u"deref-loop"_s << u"high"_s << QStringList { u"user-memory"_s }
        << u"*(uint8 *)(args.buf + $i) reads the buffer of the write() calls that pass /comm != \"bpftrace\"/"_s << 1;
    QTest::newRow("deref in a loop on sendto")
        << u"deref-loop-sendto"_s << u"high"_s << QStringList { u"user-memory"_s }
        << u"*(uint8 *)(args.buff + $i) reads the buffer of the sendto() calls"_s << 1;
    QTest::newRow("indexing every write buffer")
        << u"index-write"_s << u"high"_s << QStringList { u"user-memory"_s }
        << u"args.buf[0] reads the buffer of every write() on the system"_s << 1;
    QTest::newRow("deref of readline's line")
        << u"deref-readline"_s << u"high"_s << QStringList { u"user-memory"_s }
        << u"*(uint64 *)retval reads every line typed into programs that read input with readline()"_s << 1;
    QTest::newRow("deref of argv") << u"deref-argv"_s << u"high"_s << QStringList { u"exec-args"_s }
                                   << u"*(uint64 *)args.argv[1] reads the command line of every program started"_s << 1;
    QTest::newRow("deref through a map")
        << u"deref-map"_s << u"high"_s << QStringList { u"user-memory"_s }
        << u"*(uint64 *)@b[tid] reads the buffer of the read() calls that pass /@b[tid]/"_s << 1;
    QTest::newRow("deref in a TLS hook") << u"deref-tls"_s << u"high"_s << QStringList { u"tls"_s }
                                         << u"*(uint64 *)arg1 reads what libssl.so.3 handles"_s << 1;
    QTest::newRow("pointer carried to another probe")
        << u"carried-pointer"_s << u"high"_s << QStringList { u"feedback-loop"_s, u"user-memory"_s }
        << u"str(@p[tid]) copies the buffer of the syscalls that pass /@p[tid]/"_s << 1;
    QTest::newRow("raw syscall argument")
        << u"raw-syscalls"_s << u"high"_s << QStringList { u"user-memory"_s }
        << u"str(uptr(args.args[1])) copies the buffer of the syscalls that pass /args.id == 1/"_s << 1;
    QTest::newRow("libc write") << u"libc-write"_s << u"high"_s << QStringList { u"feedback-loop"_s, u"user-memory"_s }
                                << u"str(arg1, arg2) copies the buffer of every libc write() on the system"_s << 1;
    QTest::newRow("exec argv through a variable")
        << u"exec-argv-var"_s << u"high"_s << QStringList { u"exec-args"_s, u"user-memory"_s }
        << u"str($a[0]) copies the command line of every program started"_s << 1;
    QTest::newRow("command line from mm->arg_start")
        << u"mm-arg-start"_s << u"high"_s << QStringList { u"exec-args"_s, u"raw-memory"_s }
        << u"buf(uptr(curtask->mm->arg_start), 128) copies a process's command line"_s << 1;
    // Printing where bpftrace's output goes by, or where TraceDesk reads it, feeds itself.
    QTest::newRow("feedback loop on read") << u"loop-exit-read"_s << u"high"_s << QStringList { u"feedback-loop"_s }
                                           << u"printf() in a probe on read() fires on bpftrace's own output"_s << 1;
    QTest::newRow("feedback loop on a raw tracepoint")
        << u"loop-rawtp"_s << u"high"_s << QStringList { u"feedback-loop"_s }
        << u"printf() in a probe on every syscall"_s << 1;
    QTest::newRow("feedback loop on libc write") << u"loop-libc"_s << u"high"_s << QStringList { u"feedback-loop"_s }
                                                 << u"printf() in a probe on libc write()"_s << 1;
    QTest::newRow("printing on every wake-up") << u"loop-wakeup"_s << u"medium"_s << QStringList { u"feedback-loop"_s }
                                               << u"printf() in a probe on sched_wakeup with no filter"_s << 1;
}

void TestScriptAnalyzer::astFindings()
{
    QFETCH(QString, fixture);
    QFETCH(QString, risk);
    QFETCH(QStringList, findingCodes);
    QFETCH(QString, message);
    QFETCH(int, line);
    const QString script = fixtureScript(fixture);
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    ScriptAnalyzer::applyAst(a, fixtureAst(fixture), script);
    QVERIFY(a.fromAst);
    QVERIFY2(riskLevelName(a.risk) == risk, qPrintable(a.reasons().join(u'\n')));
    QVERIFY2(codes(a) == findingCodes, qPrintable(codes(a).join(u", "_s) + u": "_s + a.reasons().join(u'\n')));
    if (!message.isEmpty()) {
        const Finding *f = findingWith(a, message);
        QVERIFY2(f, qPrintable(a.reasons().join(u'\n')));
        QCOMPARE(f->line, line);
    }
}

// The text analysis can be fooled; bpftrace's AST is what the program really does.
void TestScriptAnalyzer::astWinsOverText()
{
    const QString disguised = u"BEGIN { }"_s;
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(disguised);
    QCOMPARE(a.risk, RiskLevel::Low);
    ScriptAnalyzer::applyAst(a, fixtureAst(u"write-buffer"_s), disguised);
    QCOMPARE(a.risk, RiskLevel::High);
    QCOMPARE(a.probeSpecs, QStringList { u"tracepoint:syscalls:sys_enter_write"_s });
    const Finding *f = findingWith(a, u"copies the buffer of every write()"_s);
    QVERIFY(f);
    QCOMPARE(f->line, 0); // no such call in the text: no line to point at

    ScriptAnalysis b = ScriptAnalyzer::analyzeText(disguised);
    ScriptAnalyzer::applyAst(b, fixtureAst(u"unsafe"_s), disguised);
    QCOMPARE(b.unsafeBuiltins, (QStringList { u"system"_s, u"signal"_s }));
    QVERIFY(b.needsUnsafe);
}

void TestScriptAnalyzer::textWinsWhenHigher()
{
    const QString script = u"BEGIN { system(\"id\"); }"_s;
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    ScriptAnalyzer::applyAst(a, fixtureAst(u"while-indent"_s), script);
    QCOMPARE(a.risk, RiskLevel::High);
    QVERIFY(findingWith(a, u"system()"_s));
}

// bpftrace 0.23.2 compiles fn bodies but refuses to call them ("Unknown function"), so this tree is
// written by hand in its format: a later bpftrace that calls functions must not hide a capture in one.
void TestScriptAnalyzer::functionBodyJudgedInItsCallers()
{
    const QByteArray ast = "AST after: Semantic\n-------------------\nProgram\n"
                           " grab: void($p : uint64)\n"
                           "  call: printf\n"
                           "   string: %s\\n :: [string[4]]\n"
                           "   call: str :: [string[1024], AS(kernel)]\n"
                           "    variable: $p :: [uint64]\n"
                           " tracepoint:syscalls:sys_enter_write\n"
                           "  call: grab\n"
                           "   . :: [int8 *, AS(user)]\n"
                           "    builtin: args :: [struct _tracepoint_syscalls_sys_enter_write, ctx: 1, AS(user)]\n"
                           "    buf\n";
    const QString script = u"fn grab($p: uint64): void { printf(\"%s\\n\", str($p)); }\n"
                           u"tracepoint:syscalls:sys_enter_write { grab(args.buf); }"_s;
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    ScriptAnalyzer::applyAst(a, ast, script);
    QVERIFY(a.fromAst);
    QCOMPARE(a.risk, RiskLevel::High);
    const Finding *f = findingWith(a, u"str($p) copies the buffer of every write()"_s);
    QVERIFY2(f, qPrintable(a.reasons().join(u'\n')));
    QCOMPARE(f->line, 1);
}

void TestScriptAnalyzer::astUnavailable()
{
    for (const QByteArray &output : { QByteArray(), QByteArray("garbage\nAST after: Semantic\n----\n  nope\n") }) {
        const QString script = u"BEGIN { @n = count(); }"_s;
        ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
        ScriptAnalyzer::applyAst(a, output, script);
        QVERIFY(!a.fromAst);
        QCOMPARE(a.risk, RiskLevel::Medium);
        QCOMPARE(codes(a), QStringList { u"ast-unavailable"_s });
        QVERIFY(a.reasons().first().contains(u"only its text was read"_s));
    }
}

// issue 10: a wildcard expanding to nothing was reported "It compiles."
void TestScriptAnalyzer::wildcardMatchingNoProbe()
{
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(fixtureScript(u"uprobe-no-match"_s));
    ScriptAnalyzer::applyExpansion(a, "WARNING: Unknown error -1: couldn't set RLIMIT_MEMLOCK\n", true);
    QVERIFY(a.hasErrors());
    QCOMPARE(
        a.diagnostics.last().message, u"uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:nonexistent_fn* matches no probe"_s);

    const QByteArray reads = "tracepoint:syscalls:sys_enter_read\ntracepoint:syscalls:sys_enter_readv\n";
    ScriptAnalysis b = ScriptAnalyzer::analyzeText(
        u"t:syscalls:sys_enter_read* { @ = count(); } BEGIN { } tracepoint:syscalls:sys_enter_nope* { }"_s);
    ScriptAnalyzer::applyExpansion(b, reads, true);
    QCOMPARE(b.diagnostics.size(), 1); // only the second wildcard; the alias t: matches
    QCOMPARE(b.diagnostics.first().message, u"tracepoint:syscalls:sys_enter_nope* matches no probe"_s);

    ScriptAnalysis c = ScriptAnalyzer::analyzeText(u"uprobe:libc:nosuch* { }"_s);
    ScriptAnalyzer::applyExpansion(c, "uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc\n", true);
    QVERIFY(!c.hasErrors()); // a library name is listed under its full path: not judged
}

void TestScriptAnalyzer::tlsFromExpansion()
{
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(u"uprobe:/opt/app/libnet.so:* { @ = count(); }"_s);
    QVERIFY(!codes(a).contains(u"tls"_s));
    ScriptAnalyzer::applyExpansion(a, "uprobe:/opt/app/libnet.so:connect\nuprobe:/opt/app/libnet.so:SSL_write\n", true);
    QVERIFY(codes(a).contains(u"tls"_s));
    QVERIFY(findingWith(a, u"uprobe:/opt/app/libnet.so:SSL_write"_s));
}

void TestScriptAnalyzer::analyzeWithAst()
{
    const QString log
        = QDir::temp().filePath(u"tracedesk-analyzer-ast-%1.log"_s.arg(QCoreApplication::applicationPid()));
    QFile::remove(log);
    qputenv("FAKE_BPFTRACE_LOG", log.toUtf8());
    qputenv("FAKE_BPFTRACE_AST", (astDir() + u"/unsafe.ast.txt"_s).toUtf8());
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    analyzer.setExpansionEnabled(false);
    std::optional<ScriptAnalysis> result;
    const QString script = fixtureScript(u"unsafe"_s);
    analyzer.analyze(script, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    qunsetenv("FAKE_BPFTRACE_LOG");
    qunsetenv("FAKE_BPFTRACE_AST");
    QVERIFY(result->checked);
    QVERIFY(result->fromAst);
    QCOMPARE(result->risk, RiskLevel::High);
    // Exactly the form the privilege helper accepts.
    const QString args = QString::fromUtf8(readFile(log)).trimmed();
    QFile::remove(log);
    QCOMPARE(args, u"-d ast --emit-elf /dev/null --unsafe -e "_s + script.trimmed());
}

// A bpftrace without `-d ast` (or one whose dump is not understood): said so, never low.
void TestScriptAnalyzer::analyzeWithOldBpftrace()
{
    qunsetenv("FAKE_BPFTRACE_AST");
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(u"BEGIN { @n = count(); }"_s, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(result->checked);
    QVERIFY(!result->fromAst);
    QCOMPARE(result->risk, RiskLevel::Medium);
    QVERIFY(codes(*result).contains(u"ast-unavailable"_s));
}

void TestScriptAnalyzer::notCheckedIsAtLeastMedium()
{
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ u"/nonexistent/bpftrace"_s, {}, false });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(u"BEGIN { @n = count(); }"_s, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(!result->checked);
    QCOMPARE(result->risk, RiskLevel::Medium);
    QCOMPARE(codes(*result), QStringList { u"not-checked"_s });
    QVERIFY(result->reasons().first().contains(result->uncheckedReason));
}

void TestScriptAnalyzer::targetWithoutAnalyzerAnswersLater()
{
    // Never from inside the call: a caller that starts a check and then decides (an approved
    // edit) would otherwise see the answer before its own decision, and decide twice.
    QList<qsizetype> each;
    std::optional<ScriptAnalyzer::PerTarget> all;
    ScriptAnalyzer::analyzeOnTargets(
        u"BEGIN { }"_s, { { u"gone"_s, nullptr } }, this,
        [&each](qsizetype index, const ScriptAnalysis &) { each.append(index); },
        [&all](const ScriptAnalyzer::PerTarget &perTarget) { all = perTarget; });
    QVERIFY(each.isEmpty());
    QVERIFY(!all);
    QTRY_VERIFY(all.has_value());
    QCOMPARE(each, QList<qsizetype> { 0 });
    QCOMPARE(all->size(), 1);
    QCOMPARE(all->first().first, u"gone"_s);
    QVERIFY(!all->first().second.checked);
    QCOMPARE(all->first().second.risk, RiskLevel::Medium);
}

void TestScriptAnalyzer::crashAfterTheAstStillCounts()
{
    qputenv("FAKE_BPFTRACE_MODE", "astcrash");
    qputenv("FAKE_BPFTRACE_AST", (astDir() + u"/unsafe.ast.txt"_s).toUtf8());
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    analyzer.setExpansionEnabled(false);
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(u"BEGIN { }"_s, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    qputenv("FAKE_BPFTRACE_MODE", "ok");
    qunsetenv("FAKE_BPFTRACE_AST");
    QVERIFY(!result->checked);
    QVERIFY(result->fromAst);
    QCOMPARE(result->risk, RiskLevel::High);
    QCOMPARE(codes(*result), (QStringList { u"not-checked"_s, u"unsafe-builtin"_s }));
}

void TestScriptAnalyzer::jsonWithAstFields()
{
    const QString script = fixtureScript(u"maps-and-flow"_s);
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    ScriptAnalyzer::applyAst(a, fixtureAst(u"maps-and-flow"_s), script);
    QCOMPARE(a.maps, (QStringList { u"@"_s, u"@bytes"_s, u"@fn"_s, u"@l"_s, u"@s"_s, u"@st"_s, u"@start"_s }));
    const ScriptAnalysis back = ScriptAnalysis::fromJson(a.toJson());
    QVERIFY(back.fromAst);
    QCOMPARE(back.maps, a.maps);
    QCOMPARE(back.findings, a.findings);

    // A history file written before these fields existed still loads, as "not from the AST".
    QJsonObject old = a.toJson();
    old.remove(u"fromAst"_s);
    old.remove(u"maps"_s);
    const ScriptAnalysis oldBack = ScriptAnalysis::fromJson(old);
    QVERIFY(!oldBack.fromAst);
    QVERIFY(oldBack.maps.isEmpty());
    QCOMPARE(oldBack.risk, a.risk);
    QVERIFY(!ScriptAnalyzer::analyzeText(script).toJson().contains(u"fromAst"_s));
}

// The key types of each map, one per part in order, and whether a printing block clears it: what
// the results need to split bpftrace's comma-joined keys and to tell a delta series.
void TestScriptAnalyzer::mapDetailsFromTheAst()
{
    auto analysed = [](const QString &name) {
        QFile file(QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data/results-0.23.2/") + name + u".ast.txt"_s);
        if (!file.open(QIODevice::ReadOnly))
            qFatal("missing %s", qPrintable(file.fileName()));
        ScriptAnalysis a;
        ScriptAnalyzer::applyAst(a, file.readAll(), QString());
        return a;
    };
    const ScriptAnalysis stacks = analysed(u"stacks"_s);
    QCOMPARE(stacks.mapDetail(u"@"_s)->keyTypes, QStringList { u"kstack"_s });
    QCOMPARE(stacks.mapDetail(u"@u"_s)->keyTypes, (QStringList { u"string[16]"_s, u"ustack"_s, u"uint32"_s }));
    QCOMPARE(stacks.mapDetail(u"@u"_s)->valueType, u"count_t"_s);
    QVERIFY(stacks.mapDetail(u"@u"_s)->clearedAfterPrint);
    QVERIFY(!stacks.mapDetail(u"@"_s)->clearedAfterPrint);
    QVERIFY(!stacks.mapDetail(u"@nosuch"_s));

    // Two parts of one type stay two (AstMap::keyTypes is a set); zero() after print() is a delta too.
    const ScriptAnalysis tuple = analysed(u"tuple"_s);
    QCOMPARE(tuple.mapDetail(u"@pt"_s)->keyTypes, (QStringList { u"uint32"_s, u"uint32"_s }));
    QCOMPARE(tuple.mapDetail(u"@pt"_s)->valueType, u"count_t"_s);
    QVERIFY(!tuple.mapDetail(u"@pt"_s)->clearedAfterPrint); // zeroed in BEGIN, printed elsewhere
    QCOMPARE(tuple.mapDetail(u"@x"_s)->keyTypes.size(), 4);

    const ScriptAnalysis interval = analysed(u"interval"_s);
    QVERIFY(interval.mapDetail(u"@s"_s)->clearedAfterPrint);
    QVERIFY(!interval.mapDetail(u"@h"_s)->clearedAfterPrint);
    QCOMPARE(interval.mapDetail(u"@h"_s)->valueType, u"hist_t"_s);
    QVERIFY(interval.mapDetail(u"@empty"_s)->keyTypes.isEmpty());

    const ScriptAnalysis back = ScriptAnalysis::fromJson(stacks.toJson());
    QCOMPARE(back.mapDetails, stacks.mapDetails);
    QVERIFY(!ScriptAnalyzer::analyzeText(u"BEGIN { @x = 1; }"_s).toJson().contains(u"mapDetails"_s));
}

// Attach points that count one probe each are counted from bpftrace's AST, with no `bpftrace -l`;
// anything else is left to -l.
void TestScriptAnalyzer::literalAttachPoints_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("textSpecs"); ///< -1: what the text analysis of the fixture saw
    QTest::addColumn<QStringList>("attach"); ///< empty: the AST does not vouch, -l must count

    QTest::newRow("tracepoint") << u"write-buffer"_s << -1 << QStringList { u"tracepoint:syscalls:sys_enter_write"_s };
    QTest::newRow("uprobes, as bpftrace resolved them")
        << u"uprobes"_s << -1
        << QStringList { u"uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:malloc"_s,
               u"uretprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:getenv"_s,
               u"uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:puts"_s };
    QTest::newRow("BEGIN, END, profile, interval, a probe of two")
        << u"maps-and-flow"_s << -1
        << QStringList { u"BEGIN"_s, u"profile:hz:99"_s, u"tracepoint:syscalls:sys_enter_openat"_s,
               u"tracepoint:syscalls:sys_enter_open"_s, u"tracepoint:syscalls:sys_exit_read"_s, u"interval:s:1"_s,
               u"END"_s };
    QTest::newRow("config and fn are not probes")
        << u"fn-and-config"_s << -1 << QStringList { u"BEGIN"_s, u"kprobe:vfs_read"_s };
    QTest::newRow("wildcard") << u"tls-wildcard"_s << -1 << QStringList();
    QTest::newRow("raw tracepoint: only -l counts it") << u"loop-rawtp"_s << -1 << QStringList();
    QTest::newRow("the text saw another program") << u"write-buffer"_s << 2 << QStringList();
}

void TestScriptAnalyzer::literalAttachPoints()
{
    QFETCH(QString, fixture);
    QFETCH(int, textSpecs);
    QFETCH(QStringList, attach);
    const QString script = fixtureScript(fixture);
    ScriptAnalysis a = ScriptAnalyzer::analyzeText(script);
    const qsizetype specs = textSpecs < 0 ? a.probeSpecs.size() : textSpecs;
    const bool counted = ScriptAnalyzer::applyLiteralAttachPoints(a, fixtureAst(fixture), specs);
    QCOMPARE(counted, !attach.isEmpty());
    QCOMPARE(a.expanded, counted);
    QCOMPARE(a.attachCount, counted ? int(attach.size()) : -1);
    QCOMPARE(a.attachList, attach);

    // Kinds whose name does not say how many probes they are, written by hand in the AST's format.
    for (const char *spec : { "usdt:/usr/bin/python3:function__entry", "uprobe:/usr/bin/app:cpp:foo", "fentry:vfs_read",
             "watchpoint:0x10000000:8:w", "iter:task", "kprobe:vfs_*", "begin" }) {
        const QByteArray ast = "AST after: Semantic\n-------------------\nProgram\n " + QByteArray(spec) + "\n\n";
        ScriptAnalysis other;
        QVERIFY2(!ScriptAnalyzer::applyLiteralAttachPoints(other, ast, 1), spec);
        QCOMPARE(other.attachCount, -1);
    }
    // Counted like -l's lines: hundreds of named tracepoints are as wide as a wildcard over them.
    QByteArray many = "AST after: Semantic\n-------------------\nProgram\n";
    for (int i = 0; i < 150; ++i)
        many += " tracepoint:syscalls:sys_enter_n" + QByteArray::number(i) + '\n';
    ScriptAnalysis wide;
    QVERIFY(ScriptAnalyzer::applyLiteralAttachPoints(wide, many, 150));
    QCOMPARE(wide.attachCount, 150);
    QCOMPARE(wide.risk, RiskLevel::Medium);
    QVERIFY(findingWith(wide, u"attaches to 150 probes"_s));
}

namespace {
// The bpftrace runs FAKE_BPFTRACE_LOG recorded: each starts a line with "-d " or "-l " (a
// multi-line script continues on the lines after it).
QStringList loggedCalls(const QString &log)
{
    QFile file(log);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList calls;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n')) {
        if (line.startsWith(u"-d "_s) || line.startsWith(u"-l "_s))
            calls.append(line);
        else if (!calls.isEmpty())
            calls.last() += u'\n' + line;
    }
    for (QString &call : calls)
        call = call.trimmed();
    return calls;
}

std::optional<ScriptAnalysis> analyzeWith(ScriptAnalyzer &analyzer, const QString &script, QObject *context)
{
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(script, context, [&result](const ScriptAnalysis &a) { result = a; });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10000))
        return std::nullopt;
    return result;
}
} // namespace

// issue 13: validate_program ran `bpftrace -l` and the compile check for every program. Without a
// wildcard the compile check alone tells the attach count.
void TestScriptAnalyzer::literalScriptNeedsOneBpftrace()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString log = dir.filePath(u"calls.log"_s);
    ScopedEnv logEnv("FAKE_BPFTRACE_LOG", log.toUtf8());
    ScopedEnv astEnv("FAKE_BPFTRACE_AST", (astDir() + u"/maps-and-flow.ast.txt"_s).toUtf8());
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    const std::optional<ScriptAnalysis> result = analyzeWith(analyzer, fixtureScript(u"maps-and-flow"_s), this);
    QVERIFY(result);
    QVERIFY(result->checked);
    QVERIFY(result->fromAst);
    const QStringList calls = loggedCalls(log);
    QCOMPARE(calls.size(), 1);
    QVERIFY(calls.first().startsWith(u"-d ast --emit-elf /dev/null -e "_s));
    QVERIFY(result->expanded);
    QCOMPARE(result->attachCount, 7);
    QCOMPARE(result->attachList.first(), u"BEGIN"_s);
    QCOMPARE(result->attachList.last(), u"END"_s);
    QCOMPARE(result->risk, RiskLevel::Medium); // str(args.filename), as without the change
}

// The text analysis saw no wildcard, but bpftrace's AST holds one: -l counts it after all, after
// the compile check, and its count is the one shown.
void TestScriptAnalyzer::astWildcardIsListedAfterAll()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString log = dir.filePath(u"calls.log"_s);
    ScopedEnv logEnv("FAKE_BPFTRACE_LOG", log.toUtf8());
    ScopedEnv astEnv("FAKE_BPFTRACE_AST", (astDir() + u"/tls-wildcard.ast.txt"_s).toUtf8());
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    const std::optional<ScriptAnalysis> result = analyzeWith(analyzer, u"BEGIN { }"_s, this);
    QVERIFY(result);
    const QStringList calls = loggedCalls(log);
    QCOMPARE(calls.size(), 2);
    QVERIFY(calls.at(0).startsWith(u"-d ast "_s));
    QCOMPARE(calls.at(1), u"-l -e BEGIN { }"_s);
    QVERIFY(result->expanded);
    QCOMPARE(result->attachCount, 2); // the fake's -l output, not the one attach point written
    QCOMPARE(result->attachList.first(), u"tracepoint:syscalls:sys_enter_read"_s);
}

// A bpftrace that shows no AST (older, or another format) cannot vouch for the text: -l counts.
void TestScriptAnalyzer::noAstMeansListed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString log = dir.filePath(u"calls.log"_s);
    ScopedEnv logEnv("FAKE_BPFTRACE_LOG", log.toUtf8());
    qunsetenv("FAKE_BPFTRACE_AST");
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    const std::optional<ScriptAnalysis> result
        = analyzeWith(analyzer, u"tracepoint:syscalls:sys_enter_read { }"_s, this);
    QVERIFY(result);
    QCOMPARE(loggedCalls(log).size(), 2);
    QCOMPARE(loggedCalls(log).last(), u"-l -e tracepoint:syscalls:sys_enter_read { }"_s);
    QVERIFY(result->expanded);
    QCOMPARE(result->attachCount, 2);
    QVERIFY(!result->fromAst);
}

// bpftrace stopped before its semantic pass (a syntax error, a tracepoint that does not exist):
// `-l` runs the same parse and would stop there too, so it is not started; the count is unknown.
void TestScriptAnalyzer::failedBeforeTheAstIsNotListed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString log = dir.filePath(u"calls.log"_s);
    ScopedEnv logEnv("FAKE_BPFTRACE_LOG", log.toUtf8());
    qunsetenv("FAKE_BPFTRACE_AST");
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    const std::optional<ScriptAnalysis> result = analyzeWith(analyzer, u"BEGIN {\n  nosuch();\n}"_s, this);
    QVERIFY(result);
    QCOMPARE(loggedCalls(log).size(), 1);
    QVERIFY(result->checked);
    QVERIFY(result->hasErrors());
    QVERIFY(!result->expanded);
    QCOMPARE(result->attachCount, -1);
}

// A program too long for `-l -e` is compiled through stdin; without a wildcard its AST still
// gives the count, so it is not marked "not expanded".
void TestScriptAnalyzer::tooLongLiteralIsCounted()
{
    ScopedEnv astEnv("FAKE_BPFTRACE_AST", (astDir() + u"/write-buffer.ast.txt"_s).toUtf8());
    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    const QString huge = fixtureScript(u"write-buffer"_s) + u"\n//"_s + QString(200'000, u'/');
    const std::optional<ScriptAnalysis> result = analyzeWith(analyzer, huge, this);
    QVERIFY(result);
    QVERIFY(result->checked);
    QVERIFY(result->expanded);
    QCOMPARE(result->attachCount, 1);
    QVERIFY(!codes(*result).contains(u"not-expanded"_s));
    QCOMPARE(result->risk, RiskLevel::High); // the rules still judge what it does
}

// The real bpftrace: the count shown is the one bpftrace itself prints when it attaches
// ("Attaching N probes..." of --dry-run), with one bpftrace run unless a wildcard needs -l.
void TestScriptAnalyzer::attachCountIsBpftracesOwn_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("runs");
    QTest::newRow("BEGIN, END, timers, software, tracepoints")
        << u"BEGIN { } END { } interval:ms:100 { } profile:hz:49 { } software:cpu-clock:100000 { }\n"
           u"t:syscalls:sys_enter_read, tracepoint:syscalls:sys_exit_read { @ = count(); }"_s
        << 1;
    // A kprobe bpftrace cannot find still counts: it warns "is not traceable" and tries.
    QTest::newRow("kprobes, one missing") << u"kprobe:vfs_read { } kretprobe:tracedesk_no_such_function { }"_s << 1;
    QTest::newRow("uprobes, one missing")
        << u"uprobe:libc:malloc { @ = count(); } uretprobe:/bin/sh:tracedesk_no_such_function { }"_s << 1;
    QTest::newRow("hardware") << u"hardware:cycles:1000000 { @ = count(); }"_s << 1;
    QTest::newRow("tracepoint wildcard") << u"tracepoint:syscalls:sys_enter_read* { @ = count(); }"_s << 2;
}

void TestScriptAnalyzer::attachCountIsBpftracesOwn()
{
    QFETCH(QString, script);
    QFETCH(int, runs);
    const QString bpftrace = QStandardPaths::findExecutable(u"bpftrace"_s);
    if (bpftrace.isEmpty() || ::geteuid() != 0)
        QSKIP("needs the real bpftrace, as root (tools/dev provides both)");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A wrapper that counts the runs and hands over to the real bpftrace.
    const QString wrapper = dir.filePath(u"bpftrace"_s);
    const QString log = dir.filePath(u"calls.log"_s);
    {
        QFile file(wrapper);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("#!/bin/sh\necho \"$1 $2\" >> '" + log.toUtf8() + "'\nexec '" + bpftrace.toUtf8() + "' \"$@\"\n");
        file.close();
        QVERIFY(file.setPermissions(file.permissions() | QFileDevice::ExeOwner));
    }
    ScriptAnalyzer analyzer;
    analyzer.setTimeoutMs(60000);
    analyzer.setBpftraceCommand({ wrapper, {}, false });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(script, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
    QVERIFY2(result->checked, qPrintable(result->uncheckedReason));
    QCOMPARE(loggedCalls(log).size(), runs);

    QProcess dryRun;
    dryRun.start(bpftrace, { u"--dry-run"_s, u"-e"_s, script });
    QVERIFY(dryRun.waitForFinished(60000));
    const QString said = QString::fromUtf8(dryRun.readAllStandardOutput() + dryRun.readAllStandardError());
    const QRegularExpressionMatch m = QRegularExpression(u"Attaching (\\d+) probes?\\.\\.\\."_s).match(said);
    QVERIFY2(m.hasMatch(), qPrintable(said));
    QVERIFY(result->expanded);
    QVERIFY2(result->attachCount == m.captured(1).toInt(),
        qPrintable(u"%1 vs bpftrace's %2: %3"_s.arg(result->attachCount)
                .arg(m.captured(1), result->attachList.join(u", "_s))));
}

QTEST_GUILESS_MAIN(TestScriptAnalyzer)
#include "tst_scriptanalyzer.moc"

// #embed/#include "..." would make bpftrace's clang read a root-only file even in the compile
// check, and the verdict would leak it: such a script is high risk and never compiled.
void TestScriptAnalyzer::fileReadingPreprocessorIsNeverCompiled()
{
    const QString embed = u"enum { A =\n#embed \"/etc/shadow\" limit(1)\n};\nBEGIN { @n = count(); }"_s;
    QCOMPARE(ScriptAnalyzer::analyzeText(embed).risk, RiskLevel::High);
    QCOMPARE(ScriptAnalyzer::analyzeText(u"#include \"/root/x\"\nBEGIN { @n = count(); }"_s).risk, RiskLevel::High);
    QCOMPARE(ScriptAnalyzer::analyzeText(u"#include <linux/sched.h>\nBEGIN { @n = count(); }"_s).risk, RiskLevel::Low);
    QCOMPARE(ScriptAnalyzer::analyzeText(u"BEGIN { printf(\"#embed _Pragma\\n\"); }"_s).risk, RiskLevel::Low);

    ScriptAnalyzer analyzer;
    analyzer.setBpftraceCommand({ m_fake, {}, false });
    std::optional<ScriptAnalysis> result;
    analyzer.analyze(embed, this, [&result](const ScriptAnalysis &a) { result = a; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->complete);
    QVERIFY(!result->checked);
    QVERIFY2(result->uncheckedReason.contains(u"#embed"_s), qPrintable(result->uncheckedReason));
    QCOMPARE(result->risk, RiskLevel::High);
}
