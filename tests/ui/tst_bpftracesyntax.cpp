// SPDX-License-Identifier: GPL-2.0-or-later
// resources/syntax/bpftrace.xml: it loads, it is valid, and each kind of token gets its own format.
#include "ui/syntaxsupport.h"

#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
const QString sample = uR"(#include <linux/sched.h>
// count opens per process
tracepoint:syscalls:sys_enter_openat /pid != 0/
{
    $fd = (uint64)args.dfd;
    @opens[comm] = count();
    printf("%s opened %s\n", comm, str(args.filename));
    @bytes = hist(0x10 + 5ms);
    /* unsafe */ system("ls");
}
interval:s:1 { exit(); }
)"_s;

class Recorder : public KSyntaxHighlighting::AbstractHighlighter
{
public:
    struct Span
    {
        int line;
        int offset;
        int length;
        KSyntaxHighlighting::Format format;
    };
    QList<Span> spans;
    QStringList lines;

    void highlightAll(const QString &text)
    {
        lines = text.split(u'\n');
        KSyntaxHighlighting::State state;
        for (int i = 0; i < lines.size(); ++i) {
            m_line = i;
            state = highlightLine(lines.at(i), state);
        }
    }
    /// The format covering the first character of `needle` on the line that holds it.
    KSyntaxHighlighting::Format formatOf(const QString &needle, int skip = 0) const
    {
        for (int i = 0; i < lines.size(); ++i) {
            const qsizetype at = lines.at(i).indexOf(needle);
            if (at < 0)
                continue;
            if (skip-- > 0)
                continue;
            for (const Span &span : spans) {
                if (span.line == i && at >= span.offset && at < span.offset + span.length)
                    return span.format;
            }
        }
        return {};
    }

protected:
    void applyFormat(int offset, int length, const KSyntaxHighlighting::Format &format) override
    {
        spans.append({ m_line, offset, length, format });
    }

private:
    int m_line = 0;
};
} // namespace

class TestBpftraceSyntax : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void definitionLoads()
    {
        const auto definition = SyntaxSupport::bpftraceDefinition();
        QVERIFY(definition.isValid());
        QCOMPARE(definition.name(), u"bpftrace"_s);
        QVERIFY(definition.extensions().contains(u"*.bt"_s));
        QCOMPARE(SyntaxSupport::repository().definitionForFileName(u"opens.bt"_s).name(), u"bpftrace"_s);
        // Our own file, from the resources, not some other definition.
        QVERIFY(definition.filePath().startsWith(u":/org.kde.syntax-highlighting/syntax-addons"_s));
        QVERIFY(definition.formats().size() >= 20);
    }

    void sourceIsTheCompiledFile()
    {
        QFile source(QStringLiteral(TRACEDESK_SOURCE_DIR "/resources/syntax/bpftrace.xml"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        QFile compiled(SyntaxSupport::bpftraceDefinition().filePath());
        QVERIFY(compiled.open(QIODevice::ReadOnly));
        QCOMPARE(compiled.readAll(), source.readAll());
    }

    void tokens_data()
    {
        QTest::addColumn<QString>("needle");
        QTest::addColumn<int>("skip");
        QTest::addColumn<QString>("format");
        QTest::newRow("preprocessor") << u"#include"_s << 0 << u"Preprocessor"_s;
        QTest::newRow("include file") << u"<linux"_s << 0 << u"Include File"_s;
        QTest::newRow("line comment") << u"// count"_s << 0 << u"Comment"_s;
        QTest::newRow("provider") << u"tracepoint"_s << 0 << u"Probe Provider"_s;
        QTest::newRow("probe") << u":syscalls"_s << 0 << u"Probe"_s;
        QTest::newRow("predicate") << u"/pid"_s << 0 << u"Predicate"_s;
        QTest::newRow("builtin in predicate") << u"pid !="_s << 0 << u"Builtin Variable"_s;
        QTest::newRow("variable") << u"$fd"_s << 0 << u"Variable"_s;
        QTest::newRow("cast") << u"(uint64)"_s << 0 << u"Cast"_s;
        QTest::newRow("args") << u"args.dfd"_s << 0 << u"Builtin Variable"_s;
        QTest::newRow("map") << u"@opens"_s << 0 << u"Map"_s;
        QTest::newRow("builtin variable") << u"comm]"_s << 0 << u"Builtin Variable"_s;
        QTest::newRow("map function") << u"count()"_s << 0 << u"Map Function"_s;
        QTest::newRow("function") << u"printf"_s << 0 << u"Function"_s;
        QTest::newRow("string") << u"\"%s opened"_s << 0 << u"String"_s;
        QTest::newRow("format") << u"%s opened"_s << 0 << u"Format"_s;
        QTest::newRow("escape") << u"\\n\""_s << 0 << u"String Escape"_s;
        QTest::newRow("hex") << u"0x10"_s << 0 << u"Hex"_s;
        QTest::newRow("duration") << u"5ms"_s << 0 << u"Decimal"_s;
        QTest::newRow("block comment") << u"/* unsafe"_s << 0 << u"Comment"_s;
        QTest::newRow("unsafe") << u"system("_s << 0 << u"Unsafe Function"_s;
        QTest::newRow("interval") << u"interval"_s << 0 << u"Probe Provider"_s;
        QTest::newRow("interval spec") << u":s:1"_s << 0 << u"Probe"_s;
    }

    void tokens()
    {
        QFETCH(QString, needle);
        QFETCH(int, skip);
        QFETCH(QString, format);
        Recorder recorder;
        recorder.setDefinition(SyntaxSupport::bpftraceDefinition());
        const auto theme = SyntaxSupport::repository().defaultTheme(KSyntaxHighlighting::Repository::LightTheme);
        recorder.setTheme(theme);
        recorder.highlightAll(sample);
        const KSyntaxHighlighting::Format f = recorder.formatOf(needle, skip);
        QVERIFY2(f.isValid(), qPrintable(needle));
        QCOMPARE(f.name(), format);
    }

    void formatsLookDifferentFromNormalText_data()
    {
        QTest::addColumn<QString>("needle");
        for (const char *needle :
            { "@opens", "$fd", "comm]", "printf", "tracepoint", ":syscalls", "\"%s opened", "// count", "(uint64)" })
            QTest::newRow(needle) << QString::fromLatin1(needle);
    }

    void formatsLookDifferentFromNormalText()
    {
        QFETCH(QString, needle);
        for (const auto themeKind :
            { KSyntaxHighlighting::Repository::LightTheme, KSyntaxHighlighting::Repository::DarkTheme }) {
            const auto theme = SyntaxSupport::repository().defaultTheme(themeKind);
            Recorder recorder;
            recorder.setDefinition(SyntaxSupport::bpftraceDefinition());
            recorder.setTheme(theme);
            recorder.highlightAll(sample);
            KSyntaxHighlighting::Format normal;
            for (const auto &format : SyntaxSupport::bpftraceDefinition().formats()) {
                if (format.name() == u"Normal Text"_s)
                    normal = format;
            }
            QVERIFY(normal.isValid());
            const KSyntaxHighlighting::Format f = recorder.formatOf(needle);
            QVERIFY(f.isValid());
            const bool differs = f.textColor(theme) != normal.textColor(theme)
                || f.isBold(theme) != normal.isBold(theme) || f.isItalic(theme) != normal.isItalic(theme);
            QVERIFY2(differs, qPrintable(needle + u" looks like normal text in "_s + theme.name()));
        }
    }

    void everyFormatNamedInTheFileIsUsedSomewhere()
    {
        // A typo in an attribute name makes KSyntaxHighlighting fall back silently; catch it here.
        QFile source(QStringLiteral(TRACEDESK_SOURCE_DIR "/resources/syntax/bpftrace.xml"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QString xml = QString::fromUtf8(source.readAll());
        QStringList names;
        for (const auto &format : SyntaxSupport::bpftraceDefinition().formats())
            names.append(format.name());
        static const QRegularExpression attribute(u"attribute=\"([^\"]+)\""_s);
        auto it = attribute.globalMatch(xml);
        while (it.hasNext()) {
            const QString name = it.next().captured(1);
            QVERIFY2(names.contains(name), qPrintable(u"unknown attribute "_s + name));
        }
    }

    void unterminatedStringAndCommentDoNotHang()
    {
        Recorder recorder;
        recorder.setDefinition(SyntaxSupport::bpftraceDefinition());
        recorder.setTheme(SyntaxSupport::repository().defaultTheme());
        recorder.highlightAll(u"BEGIN { printf(\"abc\n/* open comment\nkprobe:\n@\n$\n"_s);
        QVERIFY(!recorder.spans.isEmpty());
    }
};

QTEST_MAIN(TestBpftraceSyntax)
#include "tst_bpftracesyntax.moc"
