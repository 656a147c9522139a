// SPDX-License-Identifier: GPL-2.0-or-later
// AnalysisSummary: the words the panel, the status line and the terminal share.
#include "engine/analysissummary.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {
ScriptAnalysis expanded(int count)
{
    ScriptAnalysis analysis;
    analysis.probeSpecs = { u"kprobe:vfs_*"_s };
    for (int i = 0; i < count; ++i)
        analysis.attachList.append(u"kprobe:vfs_%1"_s.arg(i));
    analysis.attachCount = count;
    analysis.expanded = true;
    analysis.complete = true;
    analysis.checked = true;
    return analysis;
}
} // namespace

class TestAnalysisSummary : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void risk()
    {
        QCOMPARE(AnalysisSummary::risk(RiskLevel::Low), u"Low risk"_s);
        QCOMPARE(AnalysisSummary::risk(RiskLevel::Medium), u"Medium risk"_s);
        QCOMPARE(AnalysisSummary::risk(RiskLevel::High), u"High risk"_s);
    }

    void attachment_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<bool>("complete");
        QTest::addColumn<QString>("expected");
        QTest::newRow("one") << 1 << true << u"Attaches to 1 probe"_s;
        QTest::newRow("many") << 3 << true << u"Attaches to 3 probes"_s;
        QTest::newRow("none") << 0 << true << u"Attaches to 0 probes"_s;
        QTest::newRow("counting") << -1 << false << u"Counting the probes it attaches to… (as written: kprobe:vfs_*)"_s;
        QTest::newRow("unknown") << -1 << true << u"Attach count unknown; probes as written: kprobe:vfs_*"_s;
    }
    void attachment()
    {
        QFETCH(int, count);
        QFETCH(bool, complete);
        QFETCH(QString, expected);
        ScriptAnalysis analysis = count >= 0 ? expanded(count) : ScriptAnalysis {};
        if (count < 0)
            analysis.probeSpecs = { u"kprobe:vfs_*"_s };
        analysis.complete = complete;
        QCOMPARE(AnalysisSummary::attachment(analysis), expected);
    }

    void probeList()
    {
        QCOMPARE(AnalysisSummary::probeList(expanded(2), 5), u"kprobe:vfs_0, kprobe:vfs_1"_s);
        QCOMPARE(AnalysisSummary::probeList(expanded(4), 2), u"kprobe:vfs_0, kprobe:vfs_1, … (2 more)"_s);
        ScriptAnalysis written;
        written.probeSpecs = { u"BEGIN"_s };
        QCOMPARE(AnalysisSummary::probeList(written, 20), u"BEGIN"_s);
        QCOMPARE(AnalysisSummary::probeList(ScriptAnalysis {}, 20), QString());
    }

    void findings()
    {
        ScriptAnalysis analysis;
        QVERIFY(AnalysisSummary::findings(analysis).isEmpty()); // still checking: nothing to say yet
        analysis.complete = true;
        // Complete but never compiled by bpftrace: nothing may say "nothing risky".
        QVERIFY(AnalysisSummary::findings(analysis).isEmpty());
        analysis.checked = true;
        QCOMPARE(AnalysisSummary::findings(analysis), QStringList { u"Nothing risky found."_s });
        analysis.findings.append({ RiskLevel::High, u"unsafe-builtin"_s, u"calls system()"_s, 2 });
        QCOMPARE(AnalysisSummary::findings(analysis), analysis.reasons());
    }

    void unsafeAndChecking()
    {
        ScriptAnalysis analysis;
        QCOMPARE(AnalysisSummary::unsafeBuiltins(analysis), QString());
        analysis.unsafeBuiltins = { u"system"_s, u"signal"_s };
        QCOMPARE(AnalysisSummary::unsafeBuiltins(analysis),
            u"Uses unsafe builtins: system, signal (bpftrace runs with --unsafe)"_s);
        QCOMPARE(AnalysisSummary::checking(analysis), u"Checking with bpftrace…"_s);
        analysis.complete = true;
        QCOMPARE(AnalysisSummary::checking(analysis), QString());
    }

    void statusLine_data()
    {
        QTest::addColumn<ScriptAnalysis>("analysis");
        QTest::addColumn<QString>("expected");
        ScriptAnalysis quick;
        quick.probeSpecs = { u"BEGIN"_s, u"END"_s };
        QTest::newRow("quick") << quick << u"2 probe specs · Low risk · Checking with bpftrace…"_s;
        ScriptAnalysis one;
        one.probeSpecs = { u"BEGIN"_s };
        one.complete = true;
        one.checked = true;
        QTest::newRow("one spec") << one << u"1 probe spec · Low risk"_s;
        ScriptAnalysis bad = expanded(1);
        bad.risk = RiskLevel::High;
        bad.unsafeBuiltins = { u"system"_s };
        bad.diagnostics.append({ Diagnostic::Severity::Error, 1, 1, 1, u"syntax error"_s });
        bad.diagnostics.append({ Diagnostic::Severity::Warning, 2, 1, 1, u"unused"_s });
        QTest::newRow("errors")
            << bad
            << u"Attaches to 1 probe · High risk · 1 error · Uses unsafe builtins: system (bpftrace runs with --unsafe)"_s;
        bad.diagnostics.append({ Diagnostic::Severity::Error, 3, 1, 1, u"again"_s });
        bad.unsafeBuiltins.clear();
        QTest::newRow("two errors") << bad << u"Attaches to 1 probe · High risk · 2 errors"_s;
    }
    void statusLine()
    {
        QFETCH(ScriptAnalysis, analysis);
        QFETCH(QString, expected);
        QCOMPARE(AnalysisSummary::statusLine(analysis), expected);
    }

    // A predicate's string quoted in a finding must not add lines (a fake request) to a report.
    void findingsAreOneLineEach()
    {
        ScriptAnalysis a;
        a.complete = true;
        a.checked = true;
        a.findings.append({ RiskLevel::Medium, u"feedback-loop"_s,
            u"printf() behind /comm != \"x\n\n=== Request run-1 ===\nLow risk\"/ \x1b[2K"_s, 1 });
        const QStringList findings = AnalysisSummary::findings(a);
        QCOMPARE(findings.size(), 1);
        QVERIFY(!findings.first().contains(u'\n'));
        QVERIFY(!findings.first().contains(QChar(0x1b)));
        QVERIFY(findings.first().contains(u"=== Request run-1"_s)); // shown, on the same line
    }

    void unchecked()
    {
        ScriptAnalysis analysis;
        analysis.probeSpecs = { u"BEGIN"_s };
        QVERIFY(!AnalysisSummary::isUnchecked(analysis)); // still checking
        QCOMPARE(AnalysisSummary::unchecked(analysis), QString());
        analysis.complete = true;
        analysis.uncheckedReason = u"bpftrace could not be run to check the program"_s;
        QVERIFY(AnalysisSummary::isUnchecked(analysis));
        const QString note = u"Not checked by bpftrace: bpftrace could not be run to check the program"_s;
        QCOMPARE(AnalysisSummary::unchecked(analysis), note);
        QCOMPARE(AnalysisSummary::statusLine(analysis), u"1 probe spec · Low risk · "_s + note);
        QVERIFY(AnalysisSummary::report(analysis, 20).startsWith(u"Low risk\n"_s + note + u'\n'));
        QVERIFY(!AnalysisSummary::report(analysis, 20).contains(u"Nothing risky"_s));
        // The analyzer leaves `complete` false when bpftrace never ran; the reason still counts.
        analysis.complete = false;
        QCOMPARE(AnalysisSummary::unchecked(analysis), note);
        QCOMPARE(AnalysisSummary::checking(analysis), QString());
        analysis.checked = true;
        analysis.complete = true;
        QCOMPARE(AnalysisSummary::unchecked(analysis), QString());
    }

    void report()
    {
        ScriptAnalysis analysis = expanded(3);
        analysis.risk = RiskLevel::Medium;
        analysis.findings.append({ RiskLevel::Medium, u"wide-wildcard"_s, u"kprobe:vfs_* matches 3 probes"_s, 1 });
        analysis.diagnostics.append({ Diagnostic::Severity::Warning, 4, 0, 0, u"unused map"_s });
        const QString expected = u"Medium risk\n"
                                 "  - medium: kprobe:vfs_* matches 3 probes (line 1)\n"
                                 "Attaches to 3 probes\n"
                                 "  kprobe:vfs_0, kprobe:vfs_1, … (1 more)\n"
                                 "  warning line 4: unused map\n"_s;
        QCOMPARE(AnalysisSummary::report(analysis, 2), expected);

        ScriptAnalysis quick;
        quick.probeSpecs = { u"BEGIN"_s };
        QCOMPARE(AnalysisSummary::report(quick, 20),
            u"Low risk\nCounting the probes it attaches to… (as written: BEGIN)\n  BEGIN\nChecking with bpftrace…\n"_s);
    }

    void fleetTarget()
    {
        ScriptAnalysis analysis = expanded(12);
        QCOMPARE(AnalysisSummary::target(u"db1"_s, analysis), u"db1: Attaches to 12 probes · Low risk"_s);
        analysis.diagnostics.append(Diagnostic { Diagnostic::Severity::Error, 1, 1, 0, u"unknown function"_s });
        analysis.risk = RiskLevel::High;
        QCOMPARE(AnalysisSummary::target(u"db1"_s, analysis), u"db1: Attaches to 12 probes · High risk · 1 error"_s);
        ScriptAnalysis checking;
        checking.probeSpecs = { u"BEGIN"_s };
        QVERIFY(AnalysisSummary::target(u"db2"_s, checking).startsWith(u"db2: Checking"_s));
        ScriptAnalysis unchecked;
        unchecked.complete = true;
        unchecked.uncheckedReason = u"ssh: Connection refused"_s;
        QCOMPARE(AnalysisSummary::target(u"db3"_s, unchecked), u"db3: "_s + AnalysisSummary::unchecked(unchecked));
        QVERIFY(AnalysisSummary::target(u"db3"_s, unchecked).contains(u"Connection refused"_s));
    }

    void worstOfTargets()
    {
        ScriptAnalysis low = expanded(3);
        ScriptAnalysis high = expanded(5);
        high.risk = RiskLevel::High;
        high.findings.append(Finding { RiskLevel::High, u"unsafe-builtin"_s, u"calls system()"_s, 2 });
        ScriptAnalysis unchecked;
        unchecked.complete = true;
        unchecked.uncheckedReason = u"bpftrace missing"_s;
        unchecked.attachCount = -1;
        const ScriptAnalysis both = ScriptAnalysis::worstOf({ { u"a"_s, low }, { u"b"_s, high } });
        QCOMPARE(both.risk, RiskLevel::High);
        QCOMPARE(both.attachCount, 8); // over both targets
        QVERIFY(both.checked && both.complete);
        QCOMPARE(both.findings.size(), 1);
        // A target whose bpftrace could not check it leaves the whole request unchecked.
        const ScriptAnalysis three
            = ScriptAnalysis::worstOf({ { u"a"_s, low }, { u"b"_s, high }, { u"c"_s, unchecked } });
        QCOMPARE(three.risk, RiskLevel::High);
        QVERIFY(!three.checked);
        QCOMPARE(three.uncheckedReason, u"c: bpftrace missing"_s);
        QCOMPARE(three.attachCount, -1);
        // So does one where no target could check it, with the first one's name.
        const ScriptAnalysis none = ScriptAnalysis::worstOf({ { u"x"_s, unchecked }, { u"y"_s, unchecked } });
        QCOMPARE(none.uncheckedReason, u"x: bpftrace missing"_s);
        QCOMPARE(ScriptAnalysis::worstOf({ { u"x"_s, unchecked } }).uncheckedReason, u"bpftrace missing"_s);
        // Errors on one target are the request's errors, named by their target.
        ScriptAnalysis broken = expanded(3);
        broken.diagnostics.append(Diagnostic { Diagnostic::Severity::Error, 1, 1, 0, u"unknown function"_s });
        const ScriptAnalysis withError = ScriptAnalysis::worstOf({ { u"a"_s, high }, { u"old"_s, broken } });
        QVERIFY(withError.hasErrors());
        QCOMPARE(withError.risk, RiskLevel::High); // the highest risk of any target, whatever is shown first
        QCOMPARE(withError.diagnostics.constFirst().message, u"old: unknown function"_s); // only there
        bool highNamed = false;
        for (const Finding &finding : withError.findings)
            highNamed = highNamed || finding.message == u"a: calls system()"_s;
        QVERIFY(highNamed);
        // The same error on every target is said once; another one keeps its target's name.
        ScriptAnalysis brokenToo = broken;
        brokenToo.diagnostics.append(Diagnostic { Diagnostic::Severity::Error, 2, 3, 0, u"only here"_s });
        const ScriptAnalysis sameError = ScriptAnalysis::worstOf({ { u"a"_s, broken }, { u"b"_s, brokenToo } });
        QCOMPARE(sameError.diagnostics.size(), 2);
        QCOMPARE(sameError.diagnostics.at(0).message, u"unknown function"_s);
        QCOMPARE(sameError.diagnostics.at(1).message, u"b: only here"_s);
        // An error of some targets, not all, is said once with all their names.
        const ScriptAnalysis someTargets
            = ScriptAnalysis::worstOf({ { u"x"_s, low }, { u"a"_s, broken }, { u"b"_s, brokenToo } });
        QCOMPARE(someTargets.diagnostics.size(), 2);
        QCOMPARE(someTargets.diagnostics.at(0).message, u"a, b: unknown function"_s);
        QCOMPARE(someTargets.diagnostics.at(1).message, u"b: only here"_s);
        QVERIFY(ScriptAnalysis::worstOf({}).probeSpecs.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAnalysisSummary)
#include "tst_analysissummary.moc"
