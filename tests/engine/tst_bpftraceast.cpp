// SPDX-License-Identifier: GPL-2.0-or-later
// BpftraceAst fed with the real output of `bpftrace -d ast --emit-elf /dev/null` (0.23.2), one test per
// shape of that output seen, plus bad input.
#include "engine/bpftraceast.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString fixture(const QString &name)
{
    QFile file(QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data/ast-0.23.2/") + name + u".ast.txt"_s);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return QString::fromUtf8(file.readAll());
}

BpftraceAst parsed(const QString &name)
{
    const std::optional<BpftraceAst> ast = BpftraceAst::parse(fixture(name));
    if (!ast)
        qFatal("fixture %s did not parse", qPrintable(name));
    return *ast;
}

QStringList callNames(const BpftraceAst &ast)
{
    QStringList out;
    for (const AstCall &call : ast.calls)
        out.append(call.name);
    return out;
}

} // namespace

class TestBpftraceAst : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writeBufferIsUserMemory()
    {
        const BpftraceAst ast = parsed(u"write-buffer"_s);
        QCOMPARE(ast.probes.size(), size_t(1));
        QCOMPARE(ast.probes[0].attachPoints, QStringList { u"tracepoint:syscalls:sys_enter_write"_s });
        QVERIFY(!ast.probes[0].predicate);
        QCOMPARE(callNames(ast), (QStringList { u"printf"_s, u"str"_s }));
        const AstCall &str = ast.calls[1];
        QCOMPARE(str.probe, 0);
        QCOMPARE(str.arguments.size(), size_t(2));
        QCOMPARE(str.arguments[0].source(), u"args.buf"_s);
        QCOMPARE(str.arguments[0].type, u"int8 *"_s);
        QVERIFY(str.arguments[0].userMemory);
        QVERIFY(str.arguments[0].isPointer());
        QCOMPARE(str.arguments[1].source(), u"args.count"_s);
        QCOMPARE(ast.calls[0].arguments[0].kind, u"string"_s);
        QCOMPARE(ast.calls[0].arguments[0].text, u"%s"_s);
        QCOMPARE(ast.calls[0].arguments[1].source(), u"str(args.buf, args.count)"_s);
    }

    // Whitespace and the newline between `cat` and `(` are gone: the AST has the call.
    void catWithItsPath()
    {
        const BpftraceAst ast = parsed(u"cat-newline"_s);
        QCOMPARE(ast.probes[0].attachPoints, QStringList { u"BEGIN"_s });
        const auto cats = ast.callsNamed(u"cat"_s);
        QCOMPARE(cats.size(), size_t(1));
        QCOMPARE(cats[0]->arguments[0].kind, u"string"_s);
        QCOMPARE(cats[0]->arguments[0].text, u"/etc/shadow"_s);
        QVERIFY(!cats[0]->arguments[0].userMemory);
    }

    void execArgvIsAUserPointerArray()
    {
        const BpftraceAst ast = parsed(u"exec-argv"_s);
        const auto joins = ast.callsNamed(u"join"_s);
        QCOMPARE(joins.size(), size_t(1));
        QCOMPARE(joins[0]->arguments[0].source(), u"args.argv"_s);
        QCOMPARE(joins[0]->arguments[0].type, u"int8 * *"_s);
        QVERIFY(joins[0]->arguments[0].userMemory);
    }

    // Predicates, if/else, tuple keys with stacks, several attach points on one block, hist/lhist,
    // and maps used only in END.
    void mapsPredicatesAndStacks()
    {
        const BpftraceAst ast = parsed(u"maps-and-flow"_s);
        QCOMPARE(ast.probes.size(), size_t(6));
        QCOMPARE(ast.probes[0].attachPoints, QStringList { u"BEGIN"_s });
        QCOMPARE(ast.probes[1].attachPoints, QStringList { u"profile:hz:99"_s });
        QVERIFY(ast.probes[1].predicate);
        QCOMPARE(ast.probes[1].predicate->source(), u"pid > 0"_s);
        QCOMPARE(ast.probes[2].attachPoints,
            (QStringList { u"tracepoint:syscalls:sys_enter_openat"_s, u"tracepoint:syscalls:sys_enter_open"_s }));
        QCOMPARE(ast.probes[5].attachPoints, QStringList { u"END"_s });

        QCOMPARE(
            ast.mapNames(), (QStringList { u"@"_s, u"@bytes"_s, u"@fn"_s, u"@l"_s, u"@s"_s, u"@st"_s, u"@start"_s }));
        QCOMPARE(ast.map(u"@"_s)->keyTypes, (QStringList { u"kstack"_s, u"string[16]"_s }));
        QCOMPARE(ast.map(u"@"_s)->valueType, u"count_t"_s);
        QCOMPARE(ast.map(u"@s"_s)->keyTypes, QStringList { u"ustack"_s });
        QCOMPARE(ast.map(u"@bytes"_s)->valueType, u"hist_t"_s);

        // if/else: both printf calls belong to BEGIN, in order.
        QList<int> beginPrintf;
        for (const AstCall &call : ast.calls) {
            if (call.probe == 0 && call.name == u"printf")
                beginPrintf.append(call.ordinal);
        }
        QCOMPARE(beginPrintf, (QList<int> { 0, 1 }));
        const auto strs = ast.callsNamed(u"str"_s);
        QCOMPARE(strs.size(), size_t(1));
        QCOMPARE(strs[0]->probe, 2);
        QCOMPARE(strs[0]->arguments[0].source(), u"args.filename"_s);
        QVERIFY(strs[0]->arguments[0].userMemory);
        const auto times = ast.callsNamed(u"time"_s);
        QCOMPARE(times[0]->arguments[0].text, u"%H:%M:%S\n"_s); // unescaped
    }

    void unsafeCalls()
    {
        const BpftraceAst ast = parsed(u"unsafe"_s);
        QCOMPARE(callNames(ast), (QStringList { u"system"_s, u"signal"_s }));
        QCOMPARE(ast.calls[0].arguments[1].source(), u"args.pid"_s);
        QCOMPARE(ast.calls[1].arguments[0].text, u"SIGKILL"_s);
    }

    void uprobeArgumentsAreUserMemory()
    {
        const BpftraceAst ast = parsed(u"uprobes"_s);
        QCOMPARE(ast.probes.size(), size_t(3));
        QCOMPARE(ast.probes[1].attachPoints, QStringList { u"uretprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:getenv"_s });
        QCOMPARE(ast.map(u"@"_s)->keyTypes, QStringList { u"ustack"_s });
        const auto strs = ast.callsNamed(u"str"_s);
        QCOMPARE(strs.size(), size_t(2));
        QCOMPARE(strs[0]->arguments[0].source(), u"retval"_s);
        QVERIFY(strs[0]->arguments[0].userMemory);
        QVERIFY(!strs[0]->arguments[0].isPointer()); // uint64, but in user space
        const auto bufs = ast.callsNamed(u"buf"_s);
        QCOMPARE(bufs[0]->probe, 2);
        QCOMPARE(bufs[0]->arguments[0].source(), u"arg0"_s);
    }

    // 0.23.2's printer does not restore the indentation after a while loop: everything after it,
    // the next probe included, is printed two columns deeper.
    void probeAfterWhileLoopIsStillAProbe()
    {
        const BpftraceAst ast = parsed(u"while-indent"_s);
        QCOMPARE(ast.probes.size(), size_t(2));
        QCOMPARE(ast.probes[1].attachPoints, QStringList { u"tracepoint:sched:sched_switch"_s });
        const auto sums = ast.callsNamed(u"sum"_s);
        QCOMPARE(sums.size(), size_t(1));
        QCOMPARE(sums[0]->probe, 1);
        QVERIFY(!sums[0]->arguments[0].userMemory); // sched_switch fields are kernel memory
        QCOMPARE(ast.map(u"@q"_s)->keyTypes, QStringList { u"string[16]"_s });
        const auto printfs = ast.callsNamed(u"printf"_s);
        QCOMPARE(printfs.back()->probe, 1);
        QCOMPARE(printfs.back()->arguments[1].source(), u"@ptr->pid"_s);
        QCOMPARE(ast.callsNamed(u"print"_s).front()->probe, 0);
    }

    void tlsWildcardPathKept()
    {
        const BpftraceAst ast = parsed(u"tls-wildcard"_s);
        QCOMPARE(
            ast.probes[0].attachPoints, QStringList { u"uprobe:/usr/lib/x86_64-linux-gnu/libss*.so.3:SSL_write"_s });
        QCOMPARE(ast.callsNamed(u"str"_s).front()->arguments[0].source(), u"arg1"_s);
    }

    // config and fn blocks print at the probes' level; a C struct comes before "Program". This
    // bpftrace crashed in code generation after printing the semantic AST, which is still usable.
    void functionsAndConfig()
    {
        const BpftraceAst ast = parsed(u"fn-and-config"_s);
        QCOMPARE(ast.probes.size(), size_t(4));
        QCOMPARE(ast.probes[0].function, u"config"_s);
        QCOMPARE(ast.probes[1].function, u"add"_s);
        QVERIFY(ast.probes[1].attachPoints.isEmpty());
        QCOMPARE(ast.probes[2].attachPoints, QStringList { u"BEGIN"_s });
        QCOMPARE(ast.probes[3].attachPoints, QStringList { u"kprobe:vfs_read"_s });
        const auto systems = ast.callsNamed(u"system"_s);
        QCOMPARE(systems.size(), size_t(1));
        QCOMPARE(systems[0]->probe, 1);
        // A string with " :: [", escaped quotes and UTF-8 bytes printed as \xNN.
        const AstCall *printf = ast.callsNamed(u"printf"_s).front();
        QCOMPARE(printf->arguments.back().text, u"a :: [b] \"q\" \u00e9"_s);
        QCOMPARE(printf->arguments.back().type, u"string[16]"_s);
    }

    void storedPointerKeepsItsAddressSpace()
    {
        const BpftraceAst ast = parsed(u"stored-pointer"_s);
        const auto strs = ast.callsNamed(u"str"_s);
        QCOMPARE(strs.size(), size_t(2));
        QCOMPARE(strs[0]->probe, 1);
        QCOMPARE(strs[0]->arguments[0].source(), u"@r[tid]"_s);
        QVERIFY(strs[0]->arguments[0].userMemory);
        QCOMPARE(strs[1]->arguments[0].source(), u"$p"_s);
        QVERIFY(strs[1]->arguments[0].userMemory);
        QCOMPARE(ast.callsNamed(u"buf"_s).front()->arguments[0].source(), u"@r[tid]"_s);
        QCOMPARE(ast.map(u"@k"_s)->valueType, u"kstack"_s);
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("garbage") << u"no tree here\n\x01\x02"_s;
        QTest::newRow("parser pass only") << u"\nAST after: parser\n-------------------\nProgram\n BEGIN\n"_s;
        QTest::newRow("no Program line") << u"AST after: Semantic\n-------------------\n BEGIN\n"_s;
        QTest::newRow("statement before any probe")
            << u"AST after: Semantic\n-------------------\nProgram\n  call: printf\n"_s;
        QTest::newRow("unindented line in the tree")
            << u"AST after: Semantic\n-------------------\nProgram\n BEGIN\nsomething else\n"_s;
    }

    void badInput()
    {
        QFETCH(QString, text);
        QVERIFY(!BpftraceAst::parse(text));
    }

    void partialAndOddInput()
    {
        // Cut in the middle of a line: what is there still parses.
        QString cut = fixture(u"write-buffer"_s);
        cut.truncate(cut.indexOf(u"count"_s, cut.indexOf(u"Semantic"_s)) + 2);
        std::optional<BpftraceAst> ast = BpftraceAst::parse(cut);
        QVERIFY(ast);
        QCOMPARE(ast->callsNamed(u"str"_s).size(), size_t(1));

        // Invalid UTF-8 in a string literal does not stop the parse.
        QByteArray bytes = fixture(u"cat-newline"_s).toUtf8();
        bytes.replace("/etc/shadow", "/etc/\xff\xfe");
        ast = BpftraceAst::parse(QString::fromUtf8(bytes));
        QVERIFY(ast);
        QCOMPARE(ast->callsNamed(u"cat"_s).size(), size_t(1));

        // CRLF line ends.
        ast = BpftraceAst::parse(fixture(u"exec-argv"_s).replace(u"\n"_s, u"\r\n"_s));
        QVERIFY(ast);
        QCOMPARE(ast->callsNamed(u"join"_s).front()->arguments[0].source(), u"args.argv"_s);

        // Oversize: 20,000 nested levels neither crash nor recurse without bound.
        QString deep = u"AST after: Semantic\n-------------------\nProgram\n BEGIN\n"_s;
        for (int i = 0; i < 20000; ++i)
            deep += QString(i + 2, u' ') + u"call: f\n"_s;
        ast = BpftraceAst::parse(deep);
        QVERIFY(ast);
        QVERIFY(!ast->calls.empty());
    }
};

QTEST_GUILESS_MAIN(TestBpftraceAst)
#include "tst_bpftraceast.moc"
