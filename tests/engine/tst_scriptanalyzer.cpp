// SPDX-License-Identifier: GPL-2.0-or-later
#include "../threadcputime.h"
#include "engine/scriptanalyzer.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString dataDir()
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data");
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
    void analyzeCompileOnly();
    void analyzeWithoutBpftrace();
    void analyzeSkipsDeadContext();
    void analyzeTextIsFast();

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
        << QStringList { u"user-memory"_s };
    QTest::newRow("uretprobe on libcrypto") << u"uretprobe:libcrypto:EVP_DecryptFinal_ex { @ = count(); }"_s
                                            << QStringList { u"uretprobe:libcrypto:EVP_DecryptFinal_ex"_s } << none
                                            << u"high"_s << QStringList { u"user-memory"_s };
    QTest::newRow("gnutls via alias u") << u"u:/usr/lib/libgnutls.so.30:gnutls_record_send { @ = count(); }"_s
                                        << QStringList { u"u:/usr/lib/libgnutls.so.30:gnutls_record_send"_s } << none
                                        << u"high"_s << QStringList { u"user-memory"_s };
    QTest::newRow("uprobe reading strings")
        << u"uretprobe:/bin/bash:readline { printf(\"%s\\n\", str(retval)); }"_s
        << QStringList { u"uretprobe:/bin/bash:readline"_s } << none << u"medium"_s << QStringList { u"user-memory"_s };
    QTest::newRow("uprobe wildcard") << u"uprobe:/bin/bash:* { @ = count(); }"_s
                                     << QStringList { u"uprobe:/bin/bash:*"_s } << none << u"medium"_s
                                     << QStringList { u"wide-wildcard"_s };
    QTest::newRow("str of a syscall argument is ordinary")
        << u"tracepoint:syscalls:sys_enter_openat { printf(\"%s\\n\", str(args.filename)); }"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_openat"_s } << none << u"low"_s << none;
    QTest::newRow("usdt") << u"usdt:/usr/bin/python3:python:function__entry { @[str(arg1)] = count(); }"_s
                          << QStringList { u"usdt:/usr/bin/python3:python:function__entry"_s } << none << u"medium"_s
                          << QStringList { u"user-memory"_s };
    QTest::newRow("buf()") << u"tracepoint:syscalls:sys_enter_write { printf(\"%r\\n\", buf(args.buf, 16)); }"_s
                           << QStringList { u"tracepoint:syscalls:sys_enter_write"_s } << none << u"medium"_s
                           << QStringList { u"user-memory"_s };
    QTest::newRow("cat of a public file")
        << u"interval:s:1 { cat(\"/proc/loadavg\"); }"_s << QStringList { u"interval:s:1"_s } << none << u"medium"_s
        << QStringList { u"file-read"_s };
    QTest::newRow("cat of /etc/shadow") << u"BEGIN { cat(\"/etc/shadow\"); exit(); }"_s << QStringList { u"BEGIN"_s }
                                        << none << u"high"_s << QStringList { u"file-read"_s };
    QTest::newRow("cat of a computed path")
        << u"BEGIN { cat(\"/home/%s/.bashrc\", $1); exit(); }"_s << QStringList { u"BEGIN"_s } << none << u"high"_s
        << QStringList { u"file-read"_s };
    QTest::newRow("watchpoint") << u"watchpoint:0x10000000:8:w { @ = count(); }"_s
                                << QStringList { u"watchpoint:0x10000000:8:w"_s } << none << u"medium"_s
                                << QStringList { u"watchpoint"_s };
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
    QVERIFY(!result->complete);
    QVERIFY(std::any_of(result->diagnostics.cbegin(), result->diagnostics.cend(),
        [](const Diagnostic &d) { return d.message.contains(u"through the privilege helper"_s); }));
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
    QVERIFY(!result->complete);
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

QTEST_GUILESS_MAIN(TestScriptAnalyzer)
#include "tst_scriptanalyzer.moc"
