// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/bpftraceoutput.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

class TestBpftraceJsonParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void feed_data()
    {
        QTest::addColumn<QByteArrayList>("chunks");
        QTest::addColumn<int>("maxLineBytes");
        QTest::addColumn<QStringList>("kinds");
        QTest::addColumn<QStringList>("texts"); // text of each event (checked when not "*")

        const QByteArray printf = R"({"type": "printf", "data": "tick 1\n"})";
        QTest::newRow("one line") << QByteArrayList { printf + '\n' } << 1024 << QStringList { u"printf"_s }
                                  << QStringList { u"tick 1\n"_s };
        QTest::newRow("partial line") << QByteArrayList { printf.left(10), printf.mid(10, 7), printf.mid(17) + '\n' }
                                      << 1024 << QStringList { u"printf"_s } << QStringList { u"tick 1\n"_s };
        QTest::newRow("partial without newline is held")
            << QByteArrayList { printf } << 1024 << QStringList {} << QStringList {};
        QTest::newRow("two lines in one read")
            << QByteArrayList { printf + "\n" + R"({"type": "attached_probes", "data": {"probes": 8}})" + "\n" } << 1024
            << QStringList { u"printf"_s, u"attached_probes"_s } << QStringList { u"tick 1\n"_s, u"*"_s };
        QTest::newRow("blank lines between events are skipped")
            << QByteArrayList { "\n\n" + printf + "\n\r\n\n" } << 1024 << QStringList { u"printf"_s }
            << QStringList { u"*"_s };
        QTest::newRow("crlf") << QByteArrayList { printf + "\r\n" } << 1024 << QStringList { u"printf"_s }
                              << QStringList { u"tick 1\n"_s };
        QTest::newRow("garbage") << QByteArrayList { "Attaching 1 probe...\n" } << 1024
                                 << QStringList { u"malformed"_s } << QStringList { u"Attaching 1 probe..."_s };
        QTest::newRow("json without type") << QByteArrayList { R"({"data": 1})"
                                                               "\n" }
                                           << 1024 << QStringList { u"malformed"_s } << QStringList { u"*"_s };
        QTest::newRow("json array") << QByteArrayList { "[1,2]\n" } << 1024 << QStringList { u"malformed"_s }
                                    << QStringList { u"[1,2]"_s };
        QTest::newRow("truncated json") << QByteArrayList { "{\"type\": \"printf\", \"da\n" } << 1024
                                        << QStringList { u"malformed"_s } << QStringList { u"*"_s };
        QTest::newRow("oversize line is cut once, next line intact")
            << QByteArrayList { QByteArray(100, 'x'), QByteArray(100, 'y') + "\n" + printf + "\n" } << 64
            << QStringList { u"malformed"_s, u"printf"_s } << QStringList { u"*"_s, u"tick 1\n"_s };
        QTest::newRow("invalid utf-8 outside json") << QByteArrayList { "\xff\xfe garbage\n" } << 1024
                                                    << QStringList { u"malformed"_s } << QStringList { u"*"_s };
        QTest::newRow("invalid utf-8 inside a string")
            << QByteArrayList { "{\"type\": \"printf\", \"data\": \"a\xff\"}\n" } << 1024
            << QStringList { u"malformed"_s } << QStringList { u"*"_s };
        QTest::newRow("utf-8 split across reads")
            << QByteArrayList { "{\"type\": \"printf\", \"data\": \"caf\xc3", "\xa9\\n\"}\n" } << 1024
            << QStringList { u"printf"_s } << QStringList { u"caf\u00e9\n"_s };
        QTest::newRow("unknown type kept raw")
            << QByteArrayList { R"({"type": "brand_new", "data": 1})"
                                "\n" }
            << 1024 << QStringList { u"unknown"_s } << QStringList { u"{\"type\": \"brand_new\", \"data\": 1}"_s };
    }

    void feed()
    {
        QFETCH(QByteArrayList, chunks);
        QFETCH(int, maxLineBytes);
        QFETCH(QStringList, kinds);
        QFETCH(QStringList, texts);
        BpftraceJsonParser parser(maxLineBytes);
        QList<OutputEvent> events;
        for (const QByteArray &chunk : std::as_const(chunks))
            events += parser.feed(chunk);
        QStringList got;
        for (const OutputEvent &e : std::as_const(events))
            got << OutputEvent::kindName(e.kind);
        QCOMPARE(got, kinds);
        for (qsizetype i = 0; i < texts.size(); ++i) {
            if (texts.at(i) != "*"_L1)
                QCOMPARE(events.at(i).text, texts.at(i));
        }
    }

    void finishParsesLastLine()
    {
        BpftraceJsonParser parser;
        QVERIFY(parser.feed(R"({"type": "map", "data": {"@x": 1}})").isEmpty());
        const QList<OutputEvent> events = parser.finish();
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().kind, OutputEvent::Kind::Map);
        QVERIFY(parser.finish().isEmpty());
    }

    void oversizeLineIsCutToLimit()
    {
        BpftraceJsonParser parser(16);
        const QList<OutputEvent> events = parser.feed(QByteArray(QByteArray(40, 'z') + '\n'));
        QCOMPARE(events.size(), 1);
        QVERIFY(events.first().text.startsWith(QString(16, u'z') + u" [line cut"_s));
    }

    // Every event type bpftrace 0.23.2 writes with -f json (captured on this machine).
    void eventTypes_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("data"); // compact JSON of data, empty: not checked

        using K = OutputEvent::Kind;
        QTest::newRow("printf") << QByteArray(R"({"type": "printf", "data": "x\n"})") << int(K::Printf) << u"x\n"_s
                                << QByteArray();
        QTest::newRow("attached_probes") << QByteArray(R"({"type": "attached_probes", "data": {"probes": 8}})")
                                         << int(K::AttachedProbes) << QString() << QByteArray(R"({"probes":8})");
        QTest::newRow("map scalar") << QByteArray(R"({"type": "map", "data": {"@x": 1}})") << int(K::Map) << QString()
                                    << QByteArray(R"({"@x":1})");
        QTest::newRow("map keyed") << QByteArray(R"({"type": "map", "data": {"@y": {"a,2": 3}}})") << int(K::Map)
                                   << QString() << QByteArray(R"({"@y":{"a,2":3}})");
        QTest::newRow("hist") << QByteArray(R"({"type": "hist", "data": {"@h": [{"min": 4, "max": 7, "count": 1}]}})")
                              << int(K::Hist) << QString() << QByteArray(R"({"@h":[{"count":1,"max":7,"min":4}]})");
        QTest::newRow("lhist") << QByteArray(R"({"type": "lhist", "data": {"@l": [{"min": 3, "max": 3, "count": 1}]}})")
                               << int(K::Lhist) << QString() << QByteArray();
        QTest::newRow("stats") << QByteArray(
            R"({"type": "stats", "data": {"@s": {"count": 1, "average": 4, "total": 4}}})")
                               << int(K::Stats) << QString() << QByteArray();
        QTest::newRow("stats avg") << QByteArray(R"({"type": "stats", "data": {"@v": 3}})") << int(K::Stats)
                                   << QString() << QByteArray(R"({"@v":3})");
        QTest::newRow("lost_events") << QByteArray(R"({"type": "lost_events", "data": {"events": 12}})")
                                     << int(K::LostEvents) << QString() << QByteArray(R"({"events":12})");
        QTest::newRow("time") << QByteArray(R"({"type": "time", "data": "23:24:01\n"})") << int(K::Time)
                              << u"23:24:01\n"_s << QByteArray();
        QTest::newRow("join") << QByteArray(R"({"type": "join", "data": "ls -l"})") << int(K::Join) << u"ls -l"_s
                              << QByteArray();
        QTest::newRow("syscall") << QByteArray(R"({"type": "syscall", "data": "hi\n"})") << int(K::Syscall) << u"hi\n"_s
                                 << QByteArray();
        QTest::newRow("value number") << QByteArray(R"({"type": "value", "data": 5})") << int(K::Value) << u"5"_s
                                      << QByteArray();
        QTest::newRow("value string") << QByteArray(R"({"type": "value", "data": "abc"})") << int(K::Value) << u"abc"_s
                                      << QByteArray();
        QTest::newRow("helper_error") << QByteArray(
            R"({"type": "helper_error", "msg": "Failed to map_update_elem", "helper": "map_update_elem", "retcode": -7})")
                                      << int(K::Error) << u"Failed to map_update_elem"_s << QByteArray();
    }

    void eventTypes()
    {
        QFETCH(QByteArray, line);
        QFETCH(int, kind);
        QFETCH(QString, text);
        QFETCH(QByteArray, data);
        const OutputEvent event = BpftraceJsonParser::parseLine(line);
        QCOMPARE(int(event.kind), kind);
        if (!text.isNull())
            QCOMPARE(event.text, text);
        if (!data.isEmpty()) {
            const QByteArray got = event.data.isObject()
                ? QJsonDocument(event.data.toObject()).toJson(QJsonDocument::Compact)
                : QByteArray();
            QCOMPARE(got, data);
        }
    }
};

QTEST_GUILESS_MAIN(TestBpftraceJsonParser)
#include "tst_bpftracejsonparser.moc"
