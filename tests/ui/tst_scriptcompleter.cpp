// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/scriptcompleter.h"
#include "ui/scripteditor.h"

#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace {
QStringList labels(const QList<ScriptCompletion::Item> &items)
{
    QStringList out;
    for (const ScriptCompletion::Item &item : items)
        out.append(item.label);
    return out;
}

/// Puts the cursor where "|" stands in `text` (the bar itself is removed).
void setTextWithCursor(ScriptEditor &editor, const QString &text)
{
    const qsizetype at = text.indexOf(u'|');
    QString plain = text;
    plain.remove(at, 1);
    editor.setPlainText(plain);
    QTextCursor cursor(editor.document());
    cursor.setPosition(int(at));
    editor.setTextCursor(cursor);
}

/// A loaded catalog from the fake bpftrace (its listing: syscalls, sched, kprobes, software).
struct LoadedEngine
{
    FakeEngine engine;
    LoadedEngine()
    {
        engine->start();
        QTRY_VERIFY_WITH_TIMEOUT(engine->catalog()->status() == ProbeCatalog::Status::Ready, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(engine->capabilities()->isReady(), 10000);
    }
};
} // namespace

class TestScriptCompleter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void lexicalStates()
    {
        const QString text = u"a // b\n\"c\\\"d\" /* e */ f"_s;
        const QList<ScriptCompletion::Lexical> lexical = ScriptCompletion::lex(text);
        QCOMPARE(lexical.size(), text.size() + 1);
        QCOMPARE(lexical.at(text.indexOf(u'a')), ScriptCompletion::Lexical::Code);
        QCOMPARE(lexical.at(text.indexOf(u'b')), ScriptCompletion::Lexical::Comment);
        QCOMPARE(lexical.at(text.indexOf(u'd')), ScriptCompletion::Lexical::String); // past the escaped quote
        QCOMPARE(lexical.at(text.indexOf(u'e')), ScriptCompletion::Lexical::Comment);
        QCOMPARE(lexical.at(text.indexOf(u'f')), ScriptCompletion::Lexical::Code);
    }

    void contexts_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("prefix");
        using K = ScriptCompletion::Context::Kind;
        QTest::newRow("provider") << u"trac|"_s << int(K::Probe) << u"trac"_s;
        QTest::newRow("probe path") << u"BEGIN {}\ntracepoint:sysc|"_s << int(K::Probe) << u"tracepoint:sysc"_s;
        QTest::newRow("second attach point") << u"kprobe:a, kprobe:vf|"_s << int(K::Probe) << u"kprobe:vf"_s;
        QTest::newRow("builtin in block") << u"BEGIN { printf(\"%d\", pi|); }"_s << int(K::Identifier) << u"pi"_s;
        QTest::newRow("predicate") << u"kprobe:f /co|/ { }"_s << int(K::Identifier) << u"co"_s;
        QTest::newRow("map") << u"BEGIN { @op| }"_s << int(K::Map) << u"@op"_s;
        QTest::newRow("variable") << u"BEGIN { $|x = 1; }"_s << int(K::Variable) << u"$"_s;
        QTest::newRow("args dot") << u"t:syscalls:sys_enter_openat { args.fi| }"_s << int(K::ArgsField) << u"fi"_s;
        QTest::newRow("args arrow") << u"t:a:b { args->| }"_s << int(K::ArgsField) << QString();
        QTest::newRow("struct field") << u"BEGIN { $t.pi| }"_s << int(K::None) << u"pi"_s;
        QTest::newRow("string") << u"BEGIN { printf(\"co|\"); }"_s << int(K::None) << QString();
        QTest::newRow("comment") << u"// tracepoint:sys|"_s << int(K::None) << QString();
        QTest::newRow("after a block") << u"BEGIN { }\nkpr|"_s << int(K::Probe) << u"kpr"_s;
    }

    void contexts()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(QString, prefix);
        const int at = int(text.indexOf(u'|'));
        text.remove(at, 1);
        const ScriptCompletion::Context context = ScriptCompletion::contextAt(text, at);
        QCOMPARE(int(context.kind), kind);
        if (kind != int(ScriptCompletion::Context::Kind::None))
            QCOMPARE(context.prefix, prefix);
    }

    void blockAttachPoints()
    {
        const QString text = u"t:syscalls:sys_enter_openat, kprobe:x /pid == 1/\n{\n    args.\n}\n"_s;
        const ScriptCompletion::Context context = ScriptCompletion::contextAt(text, int(text.indexOf(u"args.") + 5));
        QCOMPARE(context.attachPoints, QStringList({ u"t:syscalls:sys_enter_openat"_s, u"kprobe:x"_s }));
        // Short provider names are spelled out for `bpftrace -lv`; wildcards name no one probe.
        QCOMPARE(ScriptCompletion::argumentProbe(context.attachPoints), u"tracepoint:syscalls:sys_enter_openat"_s);
        QVERIFY(ScriptCompletion::argumentProbe({ u"tracepoint:syscalls:sys_enter_*"_s }).isEmpty());
        QVERIFY(ScriptCompletion::argumentProbe({ u"BEGIN"_s }).isEmpty());
    }

    void catalogProbes()
    {
        LoadedEngine loaded;
        ScriptEditor editor;
        editor.setCatalog(loaded.engine->catalog());
        editor.setCapabilities(loaded.engine->capabilities());
        ScriptCompleter *completer = editor.completer();

        // No ':' yet: the providers of the catalog and the probe types without a listing.
        setTextWithCursor(editor, u"|"_s);
        QStringList providers = labels(completer->itemsAt(editor.textCursor().position()));
        for (const QString &name : { u"tracepoint"_s, u"kprobe"_s, u"software"_s, u"BEGIN"_s, u"interval"_s })
            QVERIFY2(providers.contains(name), qPrintable(providers.join(u' ')));

        // tracepoint:sysc: the syscalls group and every syscall tracepoint under it.
        setTextWithCursor(editor, u"tracepoint:sysc|"_s);
        const QStringList syscalls = labels(completer->itemsAt(editor.textCursor().position()));
        QCOMPARE(syscalls,
            QStringList({ u"tracepoint:syscalls:"_s, u"tracepoint:syscalls:sys_enter_openat"_s,
                u"tracepoint:syscalls:sys_enter_read"_s, u"tracepoint:syscalls:sys_enter_write"_s,
                u"tracepoint:syscalls:sys_exit_openat"_s, u"tracepoint:syscalls:sys_exit_read"_s,
                u"tracepoint:syscalls:sys_exit_write"_s }));

        // The short provider name finds the same probes; a deeper prefix narrows them.
        setTextWithCursor(editor, u"t:syscalls:sys_enter_r|"_s);
        QCOMPARE(labels(completer->itemsAt(editor.textCursor().position())),
            QStringList({ u"tracepoint:syscalls:sys_enter_read"_s }));
        setTextWithCursor(editor, u"tracepoint:|"_s);
        QCOMPARE(labels(completer->itemsAt(editor.textCursor().position())),
            QStringList({ u"tracepoint:sched:"_s, u"tracepoint:syscalls:"_s }));
        setTextWithCursor(editor, u"kprobe:vfs_|"_s);
        QCOMPARE(labels(completer->itemsAt(editor.textCursor().position())),
            QStringList({ u"kprobe:vfs_read"_s, u"kprobe:vfs_write"_s }));
    }

    void typingColonOpensThePopupAndEnterInserts()
    {
        LoadedEngine loaded;
        ScriptEditor editor;
        editor.setCatalog(loaded.engine->catalog());
        editor.resize(700, 400);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QTest::keyClicks(&editor, u"tracepoint"_s);
        QVERIFY(!editor.completer()->isPopupVisible());
        QTest::keyClicks(&editor, u":"_s);
        QVERIFY(editor.completer()->isPopupVisible());
        QCOMPARE(editor.completer()->popupLabels(), QStringList({ u"tracepoint:sched:"_s, u"tracepoint:syscalls:"_s }));
        // Typing narrows the list; Down and Enter pick an entry, and a group opens what lies below.
        QTest::keyClicks(&editor, u"sys"_s);
        QCOMPARE(editor.completer()->popupLabels().first(), u"tracepoint:syscalls:"_s);
        QTest::keyClick(&editor, Qt::Key_Return);
        QCOMPARE(editor.toPlainText(), u"tracepoint:syscalls:"_s);
        QVERIFY(editor.completer()->isPopupVisible());
        QTest::keyClicks(&editor, u"sys_exit_r"_s);
        QCOMPARE(editor.completer()->popupLabels(), QStringList({ u"tracepoint:syscalls:sys_exit_read"_s }));
        QTest::keyClick(&editor, Qt::Key_Tab);
        QCOMPARE(editor.toPlainText(), u"tracepoint:syscalls:sys_exit_read"_s);
        QVERIFY(!editor.completer()->isPopupVisible());
        // A space ends the word and closes the popup; Escape closes it without inserting.
        QTest::keyClick(&editor, Qt::Key_Return);
        QTest::keyClicks(&editor, u"kprobe:"_s);
        QVERIFY(editor.completer()->isPopupVisible());
        QTest::keyClick(&editor, Qt::Key_Escape);
        QVERIFY(!editor.completer()->isPopupVisible());
        QVERIFY(editor.toPlainText().endsWith(u"\nkprobe:"_s));
    }

    void builtinsAndScriptNames()
    {
        ScriptEditor editor;
        ScriptCompleter *completer = editor.completer();
        setTextWithCursor(editor, u"BEGIN { @opens[comm] = count(); $start = nsecs; }\nEND { pr| }"_s);
        QList<ScriptCompletion::Item> items = completer->itemsAt(editor.textCursor().position());
        QStringList names = labels(items);
        QVERIFY(names.contains(u"printf"_s));
        QVERIFY(names.contains(u"print"_s));
        QVERIFY(names.contains(u"probe"_s));
        QVERIFY(!names.contains(u"comm"_s));
        // Functions come with their signature and insert with parentheses.
        const auto printf
            = std::find_if(items.cbegin(), items.cend(), [](const auto &i) { return i.label == u"printf"; });
        QCOMPARE(printf->detail, u"printf(fmt, ...)"_s);
        QCOMPARE(printf->insert, u"printf()"_s);

        // Maps from the whole script, variables from the block they live in.
        setTextWithCursor(editor, u"BEGIN { @opens[comm] = count(); $start = nsecs; }\nEND { @| }"_s);
        QCOMPARE(labels(completer->itemsAt(editor.textCursor().position())), QStringList({ u"@opens"_s }));
        setTextWithCursor(editor, u"BEGIN { $start = nsecs; $st| }\nEND { $other = 1; }"_s);
        QCOMPARE(labels(completer->itemsAt(editor.textCursor().position())), QStringList({ u"$start"_s }));
        // Ctrl+Space on nothing offers builtins and the script's names.
        setTextWithCursor(editor, u"BEGIN { @opens = count(); $x = 1; | }"_s);
        names = labels(completer->itemsAt(editor.textCursor().position()));
        QVERIFY(names.contains(u"@opens"_s));
        QVERIFY(names.contains(u"$x"_s));
        QVERIFY(names.contains(u"comm"_s));
    }

    void builtinsFollowTheInstalledVersion()
    {
        // tseries came with 0.23: an older bpftrace must not be offered it.
        const QList<BuiltinHelp> old = Capabilities::builtins(u"0.20"_s);
        QVERIFY(!labels(ScriptCompletion::builtinItems(old, u"ts"_s)).contains(u"tseries"_s));
        QVERIFY(labels(ScriptCompletion::builtinItems(Capabilities::builtins(u"0.23.2"_s), u"ts"_s))
                .contains(u"tseries"_s));
    }

    void argsFieldsOfTheProbeUnderTheCursor()
    {
        LoadedEngine loaded;
        ScriptEditor editor;
        editor.setCatalog(loaded.engine->catalog());
        editor.resize(700, 400);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setFocus();
        setTextWithCursor(editor, u"t:syscalls:sys_enter_openat\n{\n    printf(\"%s\", str(args|));\n}\n"_s);
        // The fields come from `bpftrace -lv` in the background; the popup opens when they arrive.
        QTest::keyClick(&editor, Qt::Key_Period);
        QTRY_VERIFY_WITH_TIMEOUT(editor.completer()->isPopupVisible(), 10000);
        QCOMPARE(
            editor.completer()->popupLabels(), QStringList({ u"__syscall_nr"_s, u"dfd"_s, u"filename"_s, u"flags"_s }));
        QTest::keyClicks(&editor, u"fi"_s);
        QCOMPARE(editor.completer()->popupLabels(), QStringList({ u"filename"_s }));
        QTest::keyClick(&editor, Qt::Key_Return);
        QVERIFY(editor.toPlainText().contains(u"str(args.filename)"_s));
        QVERIFY(!editor.completer()->isPopupVisible());
        const QList<ScriptCompletion::Item> items
            = editor.completer()->itemsAt(int(editor.toPlainText().indexOf(u"args.") + 5));
        QCOMPARE(items.size(), 4);
        QCOMPARE(items.at(2).detail, u"const char *"_s);
    }

    void ctrlSpaceWithOneCandidateInserts()
    {
        ScriptEditor editor;
        editor.show();
        setTextWithCursor(editor, u"BEGIN { strcont| }"_s);
        QTest::keyClick(&editor, Qt::Key_Space, Qt::ControlModifier);
        QCOMPARE(editor.toPlainText(), u"BEGIN { strcontains() }"_s);
        QCOMPARE(editor.textCursor().position(), int(editor.toPlainText().indexOf(u')')));
    }

    void hoverHelp()
    {
        LoadedEngine loaded;
        ScriptEditor editor;
        editor.setCatalog(loaded.engine->catalog());
        editor.setCapabilities(loaded.engine->capabilities());
        const QString text = u"tracepoint:syscalls:sys_enter_openat, kprobe:vfs_*\n{\n"
                             "    @[comm] = count();\n    printf(\"%s\", str(args.filename));\n    @x = $1;\n}\n"_s;
        editor.setPlainText(text);
        ScriptCompleter *completer = editor.completer();

        const QString printf = completer->helpAt(int(text.indexOf(u"printf") + 2));
        QCOMPARE(printf, u"printf(fmt, ...)\nFormatted output, C style\nAvailable since bpftrace 0.9"_s);
        QVERIFY(completer->helpAt(int(text.indexOf(u"count"))).startsWith(u"@m = count()\nCounts events per key"_s));
        QVERIFY(completer->helpAt(int(text.indexOf(u"comm"))).contains(u"Name of the current task"_s));
        QVERIFY(completer->helpAt(int(text.indexOf(u"$1") + 1)).contains(u"Positional parameters"_s));
        // A map named like a builtin is not the builtin.
        QVERIFY(completer->helpAt(int(text.indexOf(u"@x") + 1)).isEmpty());

        // A probe: its arguments, loaded on first hover.
        const int probe = int(text.indexOf(u"sys_enter_openat"));
        QVERIFY(completer->helpAt(probe).contains(u"Loading arguments…"_s));
        QTRY_VERIFY_WITH_TIMEOUT(completer->helpAt(probe).contains(u"const char * filename"_s), 10000);
        const QString probeHelp = completer->helpAt(probe);
        QVERIFY(probeHelp.startsWith(u"tracepoint:syscalls:sys_enter_openat\n"_s));
        QVERIFY(probeHelp.contains(u"tracepoint:category:name — Stable kernel trace point"_s));
        QVERIFY(probeHelp.contains(u"    int dfd"_s));
        // A wildcard: how many probes it matches.
        QVERIFY(completer->helpAt(int(text.indexOf(u"vfs_*"))).contains(u"Matches 2 probes"_s));
        // An args field: its type.
        QCOMPARE(completer->helpAt(int(text.indexOf(u"filename") + 1)),
            u"const char * filename\nArgument of tracepoint:syscalls:sys_enter_openat"_s);
        // Strings and comments explain nothing.
        QVERIFY(completer->helpAt(int(text.indexOf(u"%s"))).isEmpty());
    }

    void hoverToolTipThroughTheViewport()
    {
        ScriptEditor editor;
        editor.resize(600, 300);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setPlainText(u"BEGIN\n{\n    printf(\"hi\");\n}\n"_s);
        QTextCursor cursor(editor.document()->findBlockByNumber(2));
        cursor.setPosition(cursor.position() + 6);
        const QPoint onPrintf = editor.cursorRect(cursor).center();
        QVERIFY(editor.helpToolTipAt(onPrintf).startsWith(u"printf(fmt, ...)"_s));
        // Far right of the line's end, and below the last line: nothing.
        QVERIFY(editor.helpToolTipAt(QPoint(550, onPrintf.y())).isEmpty());
        QVERIFY(editor.helpToolTipAt(QPoint(onPrintf.x(), 280)).isEmpty());
    }

    void matchingBrackets()
    {
        const QString text = u"BEGIN { if (a) { printf(\"}\"); } }"_s;
        const QList<ScriptCompletion::Lexical> lexical = ScriptCompletion::lex(text);
        QCOMPARE(ScriptCompletion::matchingBracket(text, lexical, int(text.indexOf(u'{'))), int(text.size() - 1));
        QCOMPARE(ScriptCompletion::matchingBracket(text, lexical, int(text.size() - 1)), int(text.indexOf(u'{')));
        // The brace inside the string does not count.
        QCOMPARE(ScriptCompletion::matchingBracket(text, lexical, int(text.indexOf(u"{ printf"))),
            int(text.lastIndexOf(u'}') - 2));
        QCOMPARE(ScriptCompletion::matchingBracket(text, lexical, int(text.indexOf(u"\"}\"") + 1)), -1);
        QCOMPARE(ScriptCompletion::matchingBracket(text, lexical, 1), -1);
    }
};

QTEST_MAIN(TestScriptCompleter)
#include "tst_scriptcompleter.moc"
