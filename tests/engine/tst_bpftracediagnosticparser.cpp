// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/bpftraceoutput.h"

#include <QTest>

using namespace Qt::StringLiterals;

// Shapes measured with bpftrace 0.23.2 (-e and file programs).
static const QByteArray s_memlock
    = "WARNING: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace. If your program is not "
      "loading, you can try \"ulimit -l 8192\" to fix the problem\n";
static const QByteArray s_unknownFunction = "stdin:1:12-15: ERROR: Unknown function: foo\n"
                                            "kprobe:x { foo(); }\n"
                                            "           ~~~\n";
static const QByteArray s_fileErrors = "/tmp/t.bt:2:3-14: ERROR: unterminated string\n"
                                       "  printf(\"hi\n"
                                       "  ~~~~~~~~~~\n"
                                       "/tmp/t.bt:3:1-5: ERROR: unterminated string\n"
                                       "\");\n"
                                       "~~~\n"
                                       "/tmp/t.bt:4:3-16: ERROR: syntax error, unexpected ;, expecting ) or \",\"\n"
                                       "  system(\"ls\");\n"
                                       "  ~~~~~~~~~~~~~\n";

class TestBpftraceDiagnosticParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void feed_data()
    {
        QTest::addColumn<QByteArrayList>("chunks");
        QTest::addColumn<QStringList>("diagnostics"); // "severity line:column-end message"
        QTest::addColumn<QStringList>("other");

        QTest::newRow("memlock warning dropped") << QByteArrayList { s_memlock } << QStringList {} << QStringList {};
        QTest::newRow("unknown function, source and marker swallowed")
            << QByteArrayList { s_memlock + s_unknownFunction }
            << QStringList { u"error 1:12-14 Unknown function: foo"_s } << QStringList {};
        QTest::newRow("partial line") << QByteArrayList { s_unknownFunction.left(9), s_unknownFunction.mid(9, 20),
            s_unknownFunction.mid(29) }
                                      << QStringList { u"error 1:12-14 Unknown function: foo"_s } << QStringList {};
        QTest::newRow("three errors in one read, file program")
            << QByteArrayList { s_fileErrors }
            << QStringList { u"error 2:3-13 unterminated string"_s, u"error 3:1-4 unterminated string"_s,
                   u"error 4:3-15 syntax error, unexpected ;, expecting ) or \",\""_s }
            << QStringList {};
        QTest::newRow("unsafe builtin")
            << QByteArrayList { "stdin:1:9-21: ERROR: system() is an unsafe function being used in safe mode\n"
                                "BEGIN { system(\"ls\"); exit(); }\n"
                                "        ~~~~~~~~~~~~\n" }
            << QStringList { u"error 1:9-20 system() is an unsafe function being used in safe mode"_s }
            << QStringList {};
        QTest::newRow("location without range") << QByteArrayList { "stdin:7:2: WARNING: unused variable\n  $x\n  ^\n" }
                                                << QStringList { u"warning 7:2-0 unused variable"_s } << QStringList {};
        QTest::newRow("no location") << QByteArrayList { "ERROR: Could not resolve symbol: /bin/sh:nosuch\n" }
                                     << QStringList { u"error 0:0-0 Could not resolve symbol: /bin/sh:nosuch"_s }
                                     << QStringList {};
        QTest::newRow("other lines kept") << QByteArrayList { "sudo: a password is required\n" } << QStringList {}
                                          << QStringList { u"sudo: a password is required"_s };
        QTest::newRow("garbage and invalid utf-8") << QByteArrayList { "\xff\xfe\x01 junk\n" } << QStringList {}
                                                   << QStringList { u"\ufffd\ufffd\u0001 junk"_s };
        QTest::newRow("two located diagnostics back to back without context")
            << QByteArrayList { "stdin:1:1-2: ERROR: a\nstdin:2:1-2: ERROR: b\n" }
            << QStringList { u"error 1:1-1 a"_s, u"error 2:1-1 b"_s } << QStringList {};
        QTest::newRow("oversize line") << QByteArrayList { QByteArray(2 * 1024 * 1024, 'q') } << QStringList {}
                                       << QStringList { QString(1024 * 1024, u'q') };
    }

    void feed()
    {
        QFETCH(QByteArrayList, chunks);
        QFETCH(QStringList, diagnostics);
        QFETCH(QStringList, other);
        BpftraceDiagnosticParser parser;
        QList<Diagnostic> got;
        for (const QByteArray &chunk : std::as_const(chunks))
            got += parser.feed(chunk);
        got += parser.finish();
        QStringList described;
        for (const Diagnostic &d : std::as_const(got))
            described << u"%1 %2:%3-%4 %5"_s.arg(Diagnostic::severityName(d.severity))
                             .arg(d.line)
                             .arg(d.column)
                             .arg(d.endColumn)
                             .arg(d.message);
        QCOMPARE(described, diagnostics);
        QCOMPARE(parser.takeOtherLines(), other);
        QVERIFY(parser.takeOtherLines().isEmpty());
    }

    void parseAll()
    {
        const QList<Diagnostic> all
            = BpftraceDiagnosticParser::parseAll(QString::fromUtf8(s_memlock + s_unknownFunction));
        QCOMPARE(all.size(), 1);
        QCOMPARE(all.first().line, 1);
        QCOMPARE(all.first().severity, Diagnostic::Severity::Error);
    }
};

QTEST_GUILESS_MAIN(TestBpftraceDiagnosticParser)
#include "tst_bpftracediagnosticparser.moc"
