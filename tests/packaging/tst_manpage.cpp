// SPDX-License-Identifier: GPL-2.0-or-later
// tracedesk.1 and the README must document exactly the options the program accepts: the option
// list is taken from the real `tracedesk --help`, so adding an option without documenting it
// (or leaving a removed one in the docs) fails here. Also checks what the man page promises about
// --version and the exit status of a bad command line.
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct ProcessResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

ProcessResult runTracedesk(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(TRACEDESK_EXECUTABLE), arguments);
    ProcessResult result;
    if (!process.waitForFinished(15000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QString manSource()
{
    return readText(QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/resources/man/tracedesk.1"_s);
}

// Option names ("--headless", "-h") from the Options section of --help. QCommandLineParser puts
// each option at two spaces of indent ("  -h, --help   text"); wrapped text is indented further.
QStringList helpOptions(const QString &help)
{
    QStringList options;
    bool inOptions = false;
    const QStringList lines = help.split(u'\n');
    static const QRegularExpression optionLine(u"^  (-\\S.*?)(?:\\s{2,}|$)"_s);
    static const QRegularExpression name(u"(?:^|[ ,])(--?[A-Za-z0-9][A-Za-z0-9-]*)"_s);
    for (const QString &line : lines) {
        if (line == "Options:"_L1) {
            inOptions = true;
            continue;
        }
        if (inOptions && !line.isEmpty() && !line.startsWith(u' '))
            break; // next section
        const QRegularExpressionMatch m = optionLine.match(line);
        if (!inOptions || !m.hasMatch())
            continue;
        auto it = name.globalMatch(m.captured(1));
        while (it.hasNext())
            options.append(it.next().captured(1));
    }
    return options;
}

// The man page's OPTIONS section: the tagged paragraphs (.TP) whose tag starts with a dash.
// Only words starting with "\-" count, so value names ("allow\-low\-risk") are not mistaken
// for options.
QStringList manOptions(const QString &man)
{
    QStringList options;
    const QStringList lines = man.split(u'\n');
    bool inOptions = false;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (line.startsWith(".SH"_L1)) {
            inOptions = line == ".SH OPTIONS"_L1;
            continue;
        }
        if (!inOptions || line != ".TP"_L1 || i + 1 >= lines.size())
            continue;
        const QString tag = lines.at(i + 1);
        static const QRegularExpression words(u"[\\s\"]+"_s);
        const QStringList parts = tag.split(words, Qt::SkipEmptyParts);
        for (const QString &part : parts) {
            if (part.startsWith("\\-"_L1))
                options.append(QString(part).remove(u'\\'));
        }
    }
    return options;
}

} // namespace

class TestManPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        const ProcessResult help = runTracedesk({ u"--help"_s });
        QCOMPARE(help.exitCode, 0);
        m_helpOptions = helpOptions(help.out);
        // The parse must find the options every build has; else the parser above is broken.
        QVERIFY2(m_helpOptions.contains(u"--help"_s) && m_helpOptions.contains(u"--version"_s), qPrintable(help.out));
        QVERIFY(m_helpOptions.size() > 4);
        m_man = manSource();
        QVERIFY(!m_man.isEmpty());
    }

    void documented_data()
    {
        QTest::addColumn<QString>("option");
        for (const QString &option : std::as_const(m_helpOptions))
            QTest::newRow(qPrintable(option)) << option;
    }

    void documented()
    {
        QFETCH(QString, option);
        QVERIFY2(manOptions(m_man).contains(option),
            qPrintable(option + u" from --help has no .TP entry in resources/man/tracedesk.1 OPTIONS"_s));
    }

    void noStaleOptions()
    {
        const QStringList documented = manOptions(m_man);
        QVERIFY(!documented.isEmpty());
        for (const QString &option : documented)
            QVERIFY2(m_helpOptions.contains(option), qPrintable(option + u" is in the man page but not in --help"_s));
    }

    void readme_data() { documented_data(); }

    void readme()
    {
        // The README's "Command line" section lists every long option, written as code.
        QFETCH(QString, option);
        if (!option.startsWith("--"_L1))
            return; // short aliases are shown next to their long form
        const QString text = readText(QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/README.md"_s);
        QVERIFY2(text.contains(u'`' + option), qPrintable(option + u" is not documented in README.md"_s));
    }

    void sections_data()
    {
        QTest::addColumn<QString>("heading");
        for (const char *heading : { "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "\"EXIT STATUS\"", "FILES",
                 "ENVIRONMENT", "SECURITY", "EXAMPLES", "\"SEE ALSO\"" })
            QTest::newRow(heading) << QString::fromLatin1(heading);
    }

    void sections()
    {
        QFETCH(QString, heading);
        QVERIFY(m_man.contains(u"\n.SH "_s + heading + u'\n'));
    }

    // The man page promises that the help options print the option list and exit 0.
    void helpOptionsPrintHelp_data()
    {
        QTest::addColumn<QString>("option");
        for (const QString &option : std::as_const(m_helpOptions)) {
            if (option.startsWith("--help"_L1) || option == "-h"_L1)
                QTest::newRow(qPrintable(option)) << option;
        }
    }

    void helpOptionsPrintHelp()
    {
        QFETCH(QString, option);
        const ProcessResult result = runTracedesk({ option });
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains("\nOptions:\n"_L1), qPrintable(result.out + result.err));
        QVERIFY2(result.out.contains("--headless"_L1), qPrintable(result.out));
    }

    void versionMatches()
    {
        const ProcessResult version = runTracedesk({ u"--version"_s });
        QCOMPARE(version.exitCode, 0);
        QCOMPARE(version.out.trimmed(), u"tracedesk "_s + QLatin1StringView(TRACEDESK_VERSION_STRING));
        // The installed man page is the configured copy: its title line carries the same version.
        const QString configured = readText(QStringLiteral(TRACEDESK_BINARY_DIR) + u"/resources/man/tracedesk.1"_s);
        QVERIFY(configured.contains(u"\"TraceDesk "_s + QLatin1StringView(TRACEDESK_VERSION_STRING) + u'"'));
    }

    // EXIT STATUS promises 2 and a message naming the problem for a bad command line.
    void badCommandLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("named");
        QTest::newRow("unknown option") << QStringList { u"--no-such-option"_s } << u"no-such-option"_s;
        QTest::newRow("bad value") << QStringList { u"--http-port"_s, u"http"_s } << u"--http-port"_s;
        QTest::newRow("bad choice") << QStringList { u"--approval-policy"_s, u"maybe"_s } << u"maybe"_s;
        QTest::newRow("missing value") << QStringList { u"--socket"_s } << u"socket"_s;
        QTest::newRow("contradiction") << QStringList { u"--headless"_s, u"--mcp-stdio"_s } << u"--mcp-stdio"_s;
    }

    void badCommandLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, named);
        const ProcessResult result = runTracedesk(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(named), qPrintable(result.err));
        QVERIFY(result.out.isEmpty());
    }

private:
    QStringList m_helpOptions;
    QString m_man;
};

QTEST_GUILESS_MAIN(TestManPage)
#include "tst_manpage.moc"
