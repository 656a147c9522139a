// SPDX-License-Identifier: GPL-2.0-or-later
// MapResult and RunResults: bpftrace's JSON parsed once into typed maps, and back.
#include "engine/results/runresults.h"
#include "engine/scriptanalyzer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

QByteArray recorded(const QString &name)
{
    QFile file(QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data/results-0.23.2/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing test data %s", qPrintable(name));
    return file.readAll();
}

// The key types bpftrace's AST gives each map of a recorded program.
ScriptAnalysis recordedAnalysis(const QString &name)
{
    ScriptAnalysis analysis;
    ScriptAnalyzer::applyAst(analysis, recorded(name + u".ast.txt"_s), QString());
    return analysis;
}

// The last print of `map` in a recorded -f json output, with the keys split by the AST's types.
MapResult recordedMap(const QString &name, const QString &map, bool typed = true)
{
    const ScriptAnalysis analysis = typed ? recordedAnalysis(name) : ScriptAnalysis();
    const ScriptMap *detail = analysis.mapDetail(map);
    MapResult last;
    for (const QByteArray &line : recorded(name + u".json"_s).split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        const QJsonObject data = event.value("data"_L1).toObject();
        if (data.contains(map))
            last = MapResult::fromBpftraceJson(
                map, event.value("type"_L1).toString(), data.value(map), detail ? detail->keyTypes : QStringList());
    }
    if (last.name().isEmpty())
        qFatal("%s has no %s", qPrintable(name), qPrintable(map));
    return last;
}

const MapEntry &entryWithKey(const MapResult &map, const QString &keyText)
{
    for (const MapEntry &entry : map.entries()) {
        if (entry.key.text() == keyText)
            return entry;
    }
    qFatal("no key %s", qPrintable(keyText));
}

using Type = MapKeyPart::Type;
QList<Type> types(const MapKey &key)
{
    QList<Type> out;
    for (const MapKeyPart &part : key.parts)
        out.append(part.type);
    return out;
}
} // namespace

class TestMapResult : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shapes_data()
    {
        QTest::addColumn<QByteArray>("stored");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("keyed");
        QTest::addColumn<int>("entries");
        QTest::addColumn<QString>("text");
        QTest::newRow("count by key") << QByteArray(R"({"kind":"map","data":{"bash":18,"sshd":3}})") << u"map"_s << true
                                      << 2 << u"@x[bash]: 18\n@x[sshd]: 3\n"_s;
        QTest::newRow("scalar") << QByteArray(R"({"kind":"map","data":42})") << u"map"_s << false << 1 << u"@x: 42\n"_s;
        QTest::newRow("stats") << QByteArray(R"({"kind":"stats","data":{"count":2,"average":15,"total":30}})")
                               << u"stats"_s << false << 1 << u"@x: count 2, average 15, total 30\n"_s;
        QTest::newRow("stats printed as map")
            << QByteArray(R"({"kind":"map","data":{"k":{"count":1,"average":3,"total":3}}})") << u"stats"_s << true << 1
            << u"@x[k]: count 1, average 3, total 3\n"_s;
        QTest::newRow("avg scalar") << QByteArray(R"({"kind":"stats","data":5})") << u"stats"_s << false << 1
                                    << u"@x: 5\n"_s;
        QTest::newRow("tuple value") << QByteArray(R"({"kind":"map","data":{"k":[1,"a"]}})") << u"map"_s << true << 1
                                     << u"@x[k]: (1, a)\n"_s;
        QTest::newRow("string") << QByteArray(R"({"kind":"map","data":"hello"})") << u"map"_s << false << 1
                                << u"@x: hello\n"_s;
        QTest::newRow("lhist printed as hist")
            << QByteArray(R"({"kind":"hist","data":[{"min":0,"max":9,"count":4},{"min":10,"max":19,"count":2}]})")
            << u"lhist"_s << false << 1 << u"@x:\n[0, 10)     4 |"_s;
        QTest::newRow("keyed hist") << QByteArray(R"({"kind":"hist","data":{"a":[{"min":8,"max":15,"count":1}]}})")
                                    << u"hist"_s << true << 1 << u"@x[a]:\n[8, 16)    1 |"_s;
        QTest::newRow("bare value of the first history files")
            << QByteArray(R"({"bash":1})") << u"map"_s << true << 1 << u"@x[bash]: 1\n"_s;
    }

    void shapes()
    {
        QFETCH(QByteArray, stored);
        QFETCH(QString, kind);
        QFETCH(bool, keyed);
        QFETCH(int, entries);
        QFETCH(QString, text);
        const MapResult map = MapResult::fromJson(u"@x"_s, QJsonDocument::fromJson(stored).object());
        QCOMPARE(map.name(), u"@x"_s);
        QCOMPARE(map.kindName(), kind);
        QCOMPARE(map.isKeyed(), keyed);
        QCOMPARE(map.entryCount(), entries);
        QVERIFY2(map.toText().startsWith(text), qPrintable(map.toText()));
        // The stored form reads back to the same map.
        QCOMPARE(MapResult::fromJson(u"@x"_s, map.toJson()), map);
    }

    void storedFormIsWhatBpftracePrinted()
    {
        const QJsonObject stored = json(R"({
            "@lat": {"kind": "hist", "data": {"bash": [{"min": 0, "max": 9, "count": 4}, {"min": 10, "count": 2}]}},
            "@sizes": {"kind": "stats", "data": {"count": 12, "average": 340, "total": 4080}},
            "@n": {"kind": "map", "data": {"a,1": 1, "b,2": 7}}
        })");
        const RunResults results = RunResults::fromJson(stored);
        QCOMPARE(results.size(), 3);
        QCOMPARE(results.toJson(), stored);
        QCOMPARE(results.names(), (QStringList { u"@lat"_s, u"@n"_s, u"@sizes"_s }));
        QVERIFY(!results.find(u"@none"_s));
        QCOMPARE(results.find(u"@n"_s)->entries().at(1).value.integer(), 7);
    }

    void entriesByWeight()
    {
        const MapResult map
            = MapResult::fromJson(u"@o"_s, json(R"({"kind":"map","data":{"a":9,"b":10,"c":100,"d":2,"e":10}})"));
        QStringList keys;
        for (const MapEntry &entry : map.entriesByWeight(4))
            keys.append(entry.key.text());
        QCOMPARE(keys, (QStringList { u"c"_s, u"b"_s, u"e"_s, u"a"_s }));
    }

    void keyedHistogramHasOneScale()
    {
        // Key "a" alone looks like log2 ([256, 512)); key "b" shows the lhist's step of 256.
        const MapResult map = MapResult::fromJson(u"@h"_s, json(R"({"kind": "hist", "data": {
            "a": [{"min": 256, "max": 511, "count": 1}],
            "b": [{"min": 0, "max": 255, "count": 2}, {"min": 256, "max": 511, "count": 3}]}})"));
        QCOMPARE(map.kindName(), u"lhist"_s);
        for (const MapEntry &entry : map.entries())
            QVERIFY2(entry.value.histogram()->isLinear(), qPrintable(entry.key.text()));
        QCOMPARE(map.entries().first().value.histogram()->labels(), QStringList { u"[256, 512)"_s });
    }

    void hugeIntegersStayNumbers()
    {
        // A u64 past 2^63 (e.g. -1 as u64) arrives as a double: kept as a number, not cast.
        const MapValue big = MapValue::fromJson(QJsonValue(18446744073709551615.0));
        QCOMPARE(big.type(), MapValue::Type::Real);
        QCOMPARE(MapValue::fromJson(QJsonValue(-9223372036854775808.0)).type(), MapValue::Type::Integer);
    }

    void insertReplacesAWholeMap()
    {
        RunResults results;
        results.insertBpftraceJson(u"map"_s, json(R"({"@a": {"x": 1, "y": 2}, "@b": 3})"));
        results.insertBpftraceJson(u"map"_s, json(R"({"@a": {"z": 5}})"));
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.find(u"@a"_s)->entryCount(), 1);
        QCOMPARE(results.find(u"@a"_s)->entries().first().key.text(), u"z"_s);
    }

    void callStackFrames_data()
    {
        QTest::addColumn<QString>("printed");
        QTest::addColumn<QString>("symbol");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<QString>("module");
        QTest::addColumn<quint64>("address");
        // As bpftrace 0.23.2 prints frames (tests/engine/data/results-0.23.2); perf mode indents
        // with a tab that -f json writes as backslash and t.
        QTest::newRow("kernel") << u"\\n        pv_native_safe_halt+11\\n"_s << u"pv_native_safe_halt"_s << qint64(11)
                                << QString() << quint64(0);
        QTest::newRow("dotted") << u"\\n        account_kernel_stack.isra.0+84\\n"_s << u"account_kernel_stack.isra.0"_s
                                << qint64(84) << QString() << quint64(0);
        QTest::newRow("unresolved") << u"\\n        0x7f6df773c1c8\\n"_s << u"0x7f6df773c1c8"_s << qint64(-1)
                                    << QString() << quint64(0x7f6df773c1c8);
        QTest::newRow("perf kernel") << u"\\n\\tffffffff816c37a4 __damon_get_folio+68\\n"_s << u"__damon_get_folio"_s
                                     << qint64(68) << QString() << quint64(0xffffffff816c37a4);
        QTest::newRow("perf unknown") << u"\\n\\t7f08f0f4ff38 0x7f08f0f4ff38 ([unknown])\\n"_s << u"0x7f08f0f4ff38"_s
                                      << qint64(-1) << QString() << quint64(0x7f08f0f4ff38);
        const QString cxx = u"int pairwork<int, long>(std::map<int, long, std::less<int>, "
                            "std::allocator<std::pair<int const, long> > >&, int)"_s;
        QTest::newRow("c++") << u"\\n        "_s + cxx + u"+0\\n"_s << cxx << qint64(0) << QString() << quint64(0);
        QTest::newRow("perf c++ module") << u"\\n\\t55738b148400 "_s + cxx + u"+0 (/work/wt-ast/build/rec/cxx)\\n"_s
                                         << cxx << qint64(0) << u"/work/wt-ast/build/rec/cxx"_s
                                         << quint64(0x55738b148400);
        QTest::newRow("real newlines") << u"\n  vfs_read+187\n"_s << u"vfs_read"_s << qint64(187) << QString()
                                       << quint64(0);
    }

    void callStackFrames()
    {
        QFETCH(QString, printed);
        QFETCH(QString, symbol);
        QFETCH(qint64, offset);
        QFETCH(QString, module);
        QFETCH(quint64, address);
        const CallStack stack = CallStack::parse(printed, CallStack::Space::User);
        QCOMPARE(stack.frames.size(), 1);
        const StackFrame &frame = stack.frames.first();
        QCOMPARE(frame.symbol, symbol);
        QCOMPARE(frame.offset, offset);
        QCOMPARE(frame.module, module);
        QCOMPARE(frame.address, address);
    }

    void callStackEmptyAndText()
    {
        QVERIFY(CallStack::parse(u"\\n"_s, CallStack::Space::Kernel).frames.isEmpty());
        const CallStack stack
            = CallStack::parse(u"\\n        vfs_read+187\\n        ksys_read+111\\n"_s, CallStack::Space::Kernel);
        QCOMPARE(stack.frames.size(), 2);
        QCOMPARE(stack.frames.at(1).symbol, u"ksys_read"_s); // innermost first, as printed
        QCOMPARE(stack.text(), u"\\n        vfs_read+187\\n        ksys_read+111\\n"_s);
        QCOMPARE(CallStack::parse(stack.text(), CallStack::Space::Kernel), stack);
    }

    void recordedKernelStacks()
    {
        const MapResult map = recordedMap(u"stacks"_s, u"@"_s);
        QCOMPARE(map.keyTypes(), QStringList { u"kstack"_s });
        QVERIFY(map.hasStackKey());
        const MapEntry idle = map.entriesByWeight(1).first();
        QCOMPARE(idle.value.integer(), 286);
        QCOMPARE(types(idle.key), QList<Type> { Type::Stack });
        const CallStack &stack = idle.key.parts.first().stack;
        QCOMPARE(stack.space, CallStack::Space::Kernel);
        QCOMPARE(stack.frames.size(), 4);
        QCOMPARE(stack.frames.first().symbol, u"pv_native_safe_halt"_s);
        QCOMPARE(stack.frames.last().text(), u"cpuidle_enter_state+115"_s);
        // A sample with no kernel stack (user code running) is the empty stack, still a key.
        QVERIFY(entryWithKey(map, u"\\n"_s).key.parts.first().stack.frames.isEmpty());
        for (const MapEntry &entry : map.entries())
            QCOMPARE(entry.key.parts.first().text, entry.key.text());
    }

    void recordedTupleWithUserStack()
    {
        const MapResult map = recordedMap(u"stacks"_s, u"@u"_s);
        QCOMPARE(map.keyTypes(), (QStringList { u"string[16]"_s, u"ustack"_s, u"uint32"_s }));
        const MapKey &key = entryWithKey(map,
            u"cat,\\n        0x7f82bf087ca3\\n        0x7f82bf06f0c5\\n        "
            "0x7f82bf09b8a8\\n,19938"_s)
                                .key;
        QCOMPARE(types(key), (QList<Type> { Type::Text, Type::Stack, Type::Integer }));
        QCOMPARE(key.parts.at(0).text, u"cat"_s);
        QCOMPARE(key.parts.at(1).stack.space, CallStack::Space::User);
        QCOMPARE(key.parts.at(1).stack.frames.size(), 3);
        QCOMPARE(key.parts.at(1).stack.frames.at(2).address, quint64(0x7f82bf09b8a8));
        QCOMPARE(key.parts.at(2).integer, 19938);
        const MapKey &idle = entryWithKey(map, u"swapper/0,\\n,0"_s).key;
        QCOMPARE(types(idle), (QList<Type> { Type::Text, Type::Stack, Type::Integer }));
        QVERIFY(idle.parts.at(1).stack.frames.isEmpty());
        for (const MapEntry &entry : map.entries()) {
            QCOMPARE(entry.key.parts.size(), 3);
            QVERIFY(!entry.key.ambiguous);
        }
    }

    void recordedCppSymbolsWithCommas()
    {
        const QString cxx = u"int pairwork<int, long>(std::map<int, long, std::less<int>, "
                            "std::allocator<std::pair<int const, long> > >&, int)"_s;
        for (bool typed : { true, false }) {
            // Typed by the AST, and guessed without it: the commas inside the stack stay in it.
            const MapResult map = recordedMap(u"cxx"_s, u"@"_s, typed);
            QCOMPARE(map.entryCount(), 1);
            const MapKey &key = map.entries().first().key;
            QCOMPARE(types(key), (QList<Type> { Type::Text, Type::Stack, Type::Integer }));
            QCOMPARE(key.parts.at(0).text, u"cxx"_s);
            QCOMPARE(key.parts.at(1).stack.frames.size(), 2);
            QCOMPARE(key.parts.at(1).stack.frames.first().symbol, cxx);
            QCOMPARE(key.parts.at(1).stack.frames.first().offset, 0);
            QCOMPARE(key.parts.at(2).integer, 17034);
            QCOMPARE(key.parts.at(1).stack.space, typed ? CallStack::Space::User : CallStack::Space::Kernel);
        }
        const MapResult perf = recordedMap(u"cxx"_s, u"@p"_s);
        const CallStack &stack = perf.entries().first().key.parts.first().stack;
        QCOMPARE(stack.frames.first().symbol, cxx);
        QCOMPARE(stack.frames.first().module, u"/work/wt-ast/build/rec/cxx"_s);
        QCOMPARE(stack.frames.first().address, quint64(0x55738b148400));
        QVERIFY(stack.frames.last().module.isEmpty()); // "([unknown])"
        // An empty kernel stack first, then the process name.
        const MapKey &k = recordedMap(u"cxx"_s, u"@k"_s).entries().first().key;
        QCOMPARE(types(k), (QList<Type> { Type::Stack, Type::Text }));
        QCOMPARE(k.parts.at(1).text, u"cxx"_s);
    }

    void recordedPerfKernelStacks()
    {
        const MapResult map = recordedMap(u"perf"_s, u"@k"_s);
        const CallStack &stack = entryWithKey(map,
            u"\\n\\tffffffff816ea395 getname_flags.part.0+5\\n\\tffffffff816d480c do_sys_openat2+92\\n"
            "\\tffffffff816d4d0d __x64_sys_openat+93\\n"_s)
                                     .key.parts.first()
                                     .stack;
        QCOMPARE(stack.frames.size(), 3);
        QCOMPARE(stack.frames.at(1).symbol, u"do_sys_openat2"_s);
        QCOMPARE(stack.frames.at(1).address, quint64(0xffffffff816d480c));
        QCOMPARE(stack.frames.at(1).offset, 92);
    }

    void keysSplitByType_data()
    {
        QTest::addColumn<QStringList>("keyTypes");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("parts");
        QTest::addColumn<bool>("ambiguous");
        const QStringList x4 { u"string[16]"_s, u"string[1024]"_s, u"uint32"_s, u"string[4]"_s };
        QTest::newRow("pid, tid") << QStringList { u"uint32"_s, u"uint32"_s } << u"12,13"_s
                                  << QStringList { u"12"_s, u"13"_s } << false;
        QTest::newRow("one string takes the commas")
            << QStringList { u"string[64]"_s } << u"a,b,c"_s << QStringList { u"a,b,c"_s } << false;
        QTest::newRow("string between integers")
            << QStringList { u"int64"_s, u"string[64]"_s, u"uint64"_s } << u"-1,/tmp/a,b,7"_s
            << QStringList { u"-1"_s, u"/tmp/a,b"_s, u"7"_s } << false;
        QTest::newRow("strings that fit")
            << x4 << u"bash,/tmp/x,12,ab"_s << QStringList { u"bash"_s, u"/tmp/x"_s, u"12"_s, u"ab"_s } << false;
        // Strings with commas meeting other strings: one text part, marked ambiguous.
        QTest::newRow("ambiguous") << x4 << u"bash,/a,b,12,a,b"_s << QStringList { u"bash,/a,b,12,a,b"_s } << true;
        QTest::newRow("not an integer") << QStringList { u"uint32"_s, u"uint32"_s } << u"a,b"_s
                                        << QStringList { u"a"_s, u"b"_s } << false;
        // Without types a comma may be inside a string: the key stays whole.
        QTest::newRow("guessed") << QStringList() << u"bash,12"_s << QStringList { u"bash,12"_s } << false;
        QTest::newRow("guessed path") << QStringList() << u"/etc/a,b"_s << QStringList { u"/etc/a,b"_s } << false;
    }

    void keysSplitByType()
    {
        QFETCH(QStringList, keyTypes);
        QFETCH(QString, text);
        QFETCH(QStringList, parts);
        QFETCH(bool, ambiguous);
        const MapKey key = MapKey::parse(text, keyTypes);
        QStringList texts;
        for (const MapKeyPart &part : key.parts)
            texts.append(part.text);
        QCOMPARE(texts, parts);
        QCOMPARE(key.ambiguous, ambiguous);
        QCOMPARE(key.text(), text); // always bpftrace's own text again
        for (const MapKeyPart &part : key.parts) {
            if (part.type == Type::Integer)
                QCOMPARE(QString::number(part.integer), part.text);
        }
    }

    void keyTypesSurviveTheStoredForm()
    {
        const MapResult map = recordedMap(u"stacks"_s, u"@u"_s);
        const MapResult back = MapResult::fromJson(map.name(), map.toJson());
        QCOMPARE(back, map);
        QCOMPARE(back.keyTypes(), map.keyTypes());
        // Split again by other types: every key follows.
        MapResult retyped = MapResult::fromBpftraceJson(u"@u"_s, u"map"_s, map.toJson().value("data"_L1));
        retyped.setKeyTypes(map.keyTypes());
        QCOMPARE(retyped, map);
    }

    void emptyMaps()
    {
        const MapResult keyed = MapResult::emptyMap(u"@reboot"_s, u"count_t"_s, true);
        QVERIFY(keyed.isEmpty());
        QVERIFY(keyed.isKeyed());
        QCOMPARE(keyed.kindName(), u"map"_s);
        QCOMPARE(MapResult::emptyMap(u"@h"_s, u"hist_t"_s, true).kindName(), u"hist"_s);
        QCOMPARE(MapResult::emptyMap(u"@a"_s, u"avg_t"_s, true).kindName(), u"stats"_s);
        const MapResult scalar = MapResult::emptyMap(u"@x"_s, u"count_t"_s, false);
        QVERIFY(scalar.isEmpty());
        QVERIFY(!scalar.isKeyed());
        QCOMPARE(MapResult::fromJson(keyed.name(), keyed.toJson()), keyed);
        QVERIFY(!recordedMap(u"stacks"_s, u"@"_s).isEmpty());
    }

    void valueText()
    {
        QCOMPARE(MapValue::fromJson(QJsonValue(1e15)).text(), u"1000000000000000"_s);
        QCOMPARE(MapValue::fromJson(QJsonValue(2.5)).text(), u"2.5"_s);
        QCOMPARE(MapValue::fromJson(QJsonObject { { u"a"_s, 1 } }).text(), u"{ a: 1 }"_s);
        QCOMPARE(MapValue::fromJson(QJsonValue()).type(), MapValue::Type::Empty);
    }
};

QTEST_MAIN(TestMapResult)
#include "tst_mapresult.moc"
