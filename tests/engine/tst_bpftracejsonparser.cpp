// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/bpftraceoutput.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
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

    // The hand-written fast path must say exactly what QJsonDocument says, on every input:
    // whatever it does not handle itself it leaves to QJsonDocument.
    void fastPathAgreesWithQJson_data()
    {
        QTest::addColumn<QByteArray>("data"); // the JSON text after "data": (and before })
        QTest::addColumn<QByteArray>("type");
        const QByteArray p = "printf";
        const QList<std::pair<const char *, QByteArray>> bodies {
            { "plain", "\"openat pid=1234 comm=worker\\n\"" },
            { "empty", "\"\"" },
            { "only newline", "\"\\n\"" },
            { "two newlines", "\"a\\n\\n\"" },
            { "escapes", "\"t\\tr\\rq\\\"b\\\\s\\/b\\bf\\f\\n\"" },
            { "control escapes", "\"\\u0001\\u001f\\u0000x\"" },
            { "unicode escapes", "\"\\u00e9\\u20AC\\ud83d\\ude00\"" },
            { "lone high surrogate", "\"a\\ud800b\"" },
            { "lone low surrogate", "\"a\\udc00b\"" },
            { "high then not low", "\"\\ud800\\u0041\"" },
            { "bad hex", "\"\\uZZZZ\"" },
            { "short hex", "\"\\u12\"" },
            { "unknown escape", "\"\\q\"" },
            { "backslash at end", "\"abc\\\"" },
            { "escaped backslash at end", "\"abc\\\\\"" },
            { "utf-8 2 3 4", "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
            { "noncharacters", "\"\xef\xbf\xbe \xef\xb7\x90 \xf4\x8f\xbf\xbf\"" },
            { "overlong", "\"\xc0\xaf\"" },
            { "overlong 3", "\"\xe0\x80\xaf\"" },
            { "utf-8 surrogate", "\"\xed\xa0\x80\"" },
            { "above 10ffff", "\"\xf4\x90\x80\x80\"" },
            { "truncated sequence", "\"caf\xc3\"" },
            { "lone continuation", "\"\x80\"" },
            { "raw control", "\"a\x01z\"" },
            { "raw tab", "\"a\tz\"" },
            { "raw del", "\"a\x7fz\"" },
            { "unescaped quote", "\"a\"b\"" },
            { "number", "5" },
            { "object", "{\"probes\": 1}" },
            { "long with escapes across words",
                "\"" + QByteArray(13, 'a') + "\\n" + QByteArray(7, 'b') + "\\\"" + QByteArray(9, 'c') + "\xc3\xa9"
                    + QByteArray(5, 'd') + "\\u00e9" + QByteArray(1000, 'e') + "\"" },
        };
        for (const auto &[name, body] : bodies) {
            for (const QByteArray &type : { p, QByteArray("time"), QByteArray("value"), QByteArray("join") })
                QTest::addRow("%s %s", type.constData(), name) << body << type;
        }
    }

    void fastPathAgreesWithQJson()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, type);
        for (const QByteArray &layout : { QByteArray("{\"type\": \"%T\", \"data\": %D}"),
                 QByteArray("{\"type\":\"%T\",\"data\":%D}"), QByteArray("{\"type\": \"%T\", \"data\": %D} junk"),
                 QByteArray("{\"type\": \"%Tx\", \"data\": %D}") }) {
            QByteArray line = layout;
            line.replace("%T", type).replace("%D", data);
            const OutputEvent fast = BpftraceJsonParser::parseLine(line);
            const OutputEvent reference = BpftraceJsonParser::parseLineWithQJson(line);
            QCOMPARE(OutputEvent::kindName(fast.kind), OutputEvent::kindName(reference.kind));
            QCOMPARE(fast.text, reference.text);
            QCOMPARE(fast.type, reference.type);
        }
    }

    // The ingest path (lines straight into one buffer) gives the lines the events give, however
    // the stream is cut into reads.
    void ingestPathMatchesEvents()
    {
        QByteArray stream;
        const QByteArrayList lines {
            R"({"type": "attached_probes", "data": {"probes": 8}})",
            R"({"type": "printf", "data": "tick 1\n"})",
            R"({"type": "printf", "data": "two\nlines\n"})",
            R"({"type": "printf", "data": "no newline"})",
            R"({"type": "printf", "data": ""})",
            R"({"type": "printf", "data": "\n\n"})",
            "{\"type\": \"printf\", \"data\": \"caf\xc3\xa9 \\u00e9 \xf0\x9f\x98\x80 \\ud83d\\ude00\\n\"}",
            "{\"type\": \"printf\", \"data\": \"bad \xff utf-8\\n\"}",
            R"({"type": "printf", "data": "lone \ud800 surrogate\n"})",
            R"({"type": "time", "data": "23:24:01\n"})",
            R"({"type": "value", "data": "a\nb"})",
            R"({"type": "value", "data": 5})",
            R"({"type": "map", "data": {"@x": 1}})",
            R"({"type": "helper_error", "msg": "Failed", "helper": "map_update_elem", "retcode": -7})",
            R"({"type": "brand_new", "data": 1})",
            "Attaching 1 probe...",
            "   ",
            "",
            "\r",
            R"({"type":"printf","data":"compact\n"})",
            R"({"type": "lost_events", "data": {"events": 3}})",
            QByteArray(3000, 'x'),
            R"({"type": "printf", "data": "after the long one\n"})",
        };
        for (int round = 0; round < 3; ++round) {
            for (const QByteArray &line : lines)
                stream += line + (round == 1 ? "\r\n" : "\n");
        }
        stream += R"({"type": "printf", "data": "last, without newline"})";

        // The reference: whole lines through parseLine, as events.
        ParsedOutput expected;
        {
            BpftraceJsonParser parser(2048);
            QList<OutputEvent> events = parser.feed(stream);
            events += parser.finish();
            for (OutputEvent &event : events)
                BpftraceJsonParser::appendEvent(std::move(event), 0, &expected);
        }
        auto describe = [](const ParsedOutput &out) {
            QStringList d;
            out.lines.forEach(0, out.lines.size(), [&](QByteArrayView text, OutputLine::Stream stream, qint64) {
                d << OutputLine::streamName(stream) + u": "_s + QString::fromUtf8(text);
            });
            for (const OutputEvent &event : out.events)
                d << u"event: "_s + OutputEvent::kindName(event.kind);
            return d;
        };
        QCOMPARE(expected.lines.size(), 3 * 19 + 1);
        QRandomGenerator random(1234);
        for (int trial = 0; trial < 20; ++trial) {
            BpftraceJsonParser parser(2048);
            ParsedOutput got;
            for (qsizetype at = 0; at < stream.size();) {
                const qsizetype step = trial == 0 ? 1 : qsizetype(random.bounded(1, trial < 10 ? 16 : 4096));
                parser.feed(QByteArrayView(stream).sliced(at, std::min(step, stream.size() - at)), &got);
                at += step;
            }
            parser.finish(&got);
            QCOMPARE(describe(got), describe(expected));
            QCOMPARE(got.textSize, expected.textSize);
            QCOMPARE(got.textSizes, expected.textSizes);
            QCOMPARE(got.eventLines, expected.eventLines);
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
