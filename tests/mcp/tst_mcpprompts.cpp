// SPDX-License-Identifier: GPL-2.0-or-later
// McpPrompts: guided investigations, their argument checks, and that their programs compile.
#include "mcptesthelpers.h"

#include "mcp/mcpprompts.h"

#include <QDir>
#include <QProcess>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace McpTest;

class TestMcpPrompts : public QObject
{
    Q_OBJECT

private:
    static QString promptText(const QJsonObject &result)
    {
        return result.value(u"messages"_s)
            .toArray()
            .first()
            .toObject()
            .value(u"content"_s)
            .toObject()
            .value(u"text"_s)
            .toString();
    }

    static QString programOf(const QString &text)
    {
        // The program is the one fenced block the prompt carries.
        const QString fence = u"```"_s;
        const qsizetype open = text.indexOf(fence + u"bpftrace\n"_s);
        if (open < 0)
            return {};
        const qsizetype start = open + fence.size() + 9;
        const qsizetype end = text.indexOf(fence, start);
        return end < 0 ? QString() : text.mid(start, end - start);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<McpPrompts> m_prompts;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_engine = std::make_unique<Engine>(testConfig(*m_dir, fakeBpftrace()));
        m_prompts = std::make_unique<McpPrompts>(m_engine.get());
    }

    void cleanupTestCase()
    {
        m_prompts.reset();
        m_engine.reset();
    }

    void list()
    {
        const QJsonArray prompts = m_prompts->list();
        QVERIFY(prompts.size() >= 3);
        QStringList names;
        for (const QJsonValue &v : prompts) {
            const QJsonObject p = v.toObject();
            names.append(p.value(u"name"_s).toString());
            QVERIFY(!p.value(u"title"_s).toString().isEmpty());
            QVERIFY(!p.value(u"description"_s).toString().isEmpty());
            for (const QJsonValue &a : p.value(u"arguments"_s).toArray()) {
                QVERIFY(!a.toObject().value(u"name"_s).toString().isEmpty());
                QVERIFY(!a.toObject().value(u"description"_s).toString().isEmpty());
                QVERIFY(a.toObject().value(u"required"_s).isBool());
            }
        }
        for (const QString &expected :
            { u"slow_process"_s, u"file_access"_s, u"disk_activity"_s, u"network_activity"_s })
            QVERIFY2(names.contains(expected), qPrintable(expected));
    }

    void get_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("arguments");
        QTest::addColumn<QString>("mustContain");
        QTest::newRow("slow pid") << u"slow_process"_s << QByteArray(R"({"process": "1"})") << u"pid == 1"_s;
        QTest::newRow("slow comm") << u"slow_process"_s << QByteArray(R"({"process": "nginx", "seconds": "5"})")
                                   << u"comm == \"nginx\""_s;
        QTest::newRow("slow long comm") << u"slow_process"_s << QByteArray(R"({"process": "chromium-browser-stable"})")
                                        << u"comm == \"chromium-browse\""_s;
        QTest::newRow("file") << u"file_access"_s << QByteArray(R"({"path": "/etc/hosts"})")
                              << u"str(args.filename) == \"/etc/hosts\""_s;
        QTest::newRow("disk all") << u"disk_activity"_s << QByteArray(R"({})") << u"@latency_us = hist("_s;
        QTest::newRow("network all") << u"network_activity"_s << QByteArray(R"({})") << u"tcp_retransmit_skb"_s;
        QTest::newRow("network comm") << u"network_activity"_s << QByteArray(R"({"process": "curl"})")
                                      << u"&& comm == \"curl\""_s;
    }

    void get()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, arguments);
        QFETCH(QString, mustContain);
        QString error;
        const auto result = m_prompts->get(name, QJsonDocument::fromJson(arguments).object(), &error);
        QVERIFY2(result, qPrintable(error));
        QVERIFY(!result->value(u"description"_s).toString().isEmpty());
        const QJsonObject message = result->value(u"messages"_s).toArray().first().toObject();
        QCOMPARE(message.value(u"role"_s).toString(), u"user"_s);
        QCOMPARE(message.value(u"content"_s).toObject().value(u"type"_s).toString(), u"text"_s);
        const QString text = promptText(*result);
        // The plan walks the model through the tools in order.
        const qsizetype probes = text.indexOf(u"list_probes"_s);
        const qsizetype validate = text.indexOf(u"validate_program"_s);
        const qsizetype exec = text.indexOf(u"exec_program"_s);
        const qsizetype get = text.indexOf(u"get_result"_s);
        QVERIFY(probes >= 0 && probes < validate && validate < exec && exec < get);
        QVERIFY(text.contains(u"wait_seconds"_s));
        QVERIFY(text.contains(u"denied"_s));
        const QString program = programOf(text);
        QVERIFY2(program.contains(mustContain), qPrintable(program));
        QVERIFY(!program.contains(u"%1"_s));
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown prompt") << u"delete_everything"_s << QByteArray("{}") << u"unknown prompt"_s;
        QTest::newRow("missing process") << u"slow_process"_s << QByteArray("{}") << u"needs the argument 'process'"_s;
        QTest::newRow("blank process") << u"slow_process"_s << QByteArray(R"({"process": "  "})")
                                       << u"needs the argument 'process'"_s;
        QTest::newRow("missing path") << u"file_access"_s << QByteArray("{}") << u"needs the argument 'path'"_s;
        QTest::newRow("quote injection") << u"slow_process"_s
                                         << QByteArray("{\"process\": \"x\\\"/ { system(\\\"id\\\") } //\"}")
                                         << u"without quotes"_s;
        QTest::newRow("backslash") << u"slow_process"_s << QByteArray("{\"process\": \"a\\\\b\"}")
                                   << u"without quotes"_s;
        QTest::newRow("pid zero") << u"slow_process"_s << QByteArray(R"({"process": "0"})") << u"not a valid PID"_s;
        QTest::newRow("relative path") << u"file_access"_s << QByteArray(R"({"path": "etc/hosts"})")
                                       << u"absolute path"_s;
        QTest::newRow("path with quote") << u"file_access"_s << QByteArray("{\"path\": \"/tmp/a\\\"b\"}")
                                         << u"without quotes"_s;
        QTest::newRow("unknown device") << u"disk_activity"_s << QByteArray(R"({"device": "nosuchdisk0"})")
                                        << u"unknown block device"_s;
        QTest::newRow("device traversal")
            << u"disk_activity"_s << QByteArray(R"({"device": "../../etc"})") << u"unknown block device"_s;
        QTest::newRow("seconds text") << u"disk_activity"_s << QByteArray(R"({"seconds": "soon"})")
                                      << u"'seconds' must be a whole number"_s;
        QTest::newRow("seconds zero") << u"disk_activity"_s << QByteArray(R"({"seconds": "0"})")
                                      << u"'seconds' must be a whole number"_s;
        QTest::newRow("not a string") << u"slow_process"_s << QByteArray(R"({"process": 42})") << u"must be a string"_s;
        QTest::newRow("unknown argument")
            << u"file_access"_s << QByteArray(R"({"path": "/etc/hosts", "mode": "x"})") << u"has no argument 'mode'"_s;
    }

    void rejects()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, arguments);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!m_prompts->get(name, QJsonDocument::fromJson(arguments).object(), &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void diskDeviceFilter()
    {
        const QStringList disks = m_prompts->complete(u"disk_activity"_s, u"device"_s, QString());
        if (disks.isEmpty())
            QSKIP("no block devices under /sys/block");
        QString error;
        const auto result = m_prompts->get(u"disk_activity"_s, QJsonObject { { u"device"_s, disks.first() } }, &error);
        QVERIFY2(result, qPrintable(error));
        QVERIFY(programOf(promptText(*result)).contains(u"/args.dev == "_s));
    }

    void completion()
    {
        QVERIFY(m_prompts->complete(u"file_access"_s, u"path"_s, u"/et"_s).contains(u"/etc/"_s));
        QVERIFY(m_prompts->complete(u"file_access"_s, u"path"_s, u"/etc/host"_s).contains(u"/etc/hosts"_s)
            || !QFile::exists(u"/etc/hosts"_s));
        const QStringList pids = m_prompts->complete(u"slow_process"_s, u"process"_s, u"1"_s);
        QVERIFY(pids.contains(u"1"_s));
        for (const QString &p : pids)
            QVERIFY(p.startsWith(u'1'));
        QFile self(u"/proc/self/comm"_s);
        QVERIFY(self.open(QIODevice::ReadOnly));
        const QString comm = QString::fromUtf8(self.readAll()).trimmed();
        QVERIFY(m_prompts->complete(u"network_activity"_s, u"process"_s, comm.left(4)).contains(comm));
        QVERIFY(m_prompts->complete(u"slow_process"_s, u"nope"_s, QString()).isEmpty());
        QVERIFY(m_prompts->complete(u"slow_process"_s, u"process"_s, QString()).size() <= 100);
    }

    void programsCompileWithRealBpftrace()
    {
        const QString bpftrace = realBpftrace();
        if (bpftrace.isEmpty())
            QSKIP("bpftrace is not installed");
        if (geteuid() != 0)
            QSKIP("compiling against the kernel's tracepoints needs root here");
        const QList<std::pair<QString, QJsonObject>> cases {
            { u"slow_process"_s, QJsonObject { { u"process"_s, u"1"_s } } },
            { u"slow_process"_s, QJsonObject { { u"process"_s, u"systemd"_s } } },
            { u"file_access"_s, QJsonObject { { u"path"_s, u"/etc/hosts"_s } } },
            { u"disk_activity"_s, QJsonObject {} },
            { u"network_activity"_s, QJsonObject { { u"process"_s, u"curl"_s } } },
            { u"network_activity"_s, QJsonObject {} },
        };
        for (const auto &[name, args] : cases) {
            QString error;
            const auto result = m_prompts->get(name, args, &error);
            QVERIFY2(result, qPrintable(error));
            const QString program = programOf(promptText(*result));
            QVERIFY(!program.isEmpty());
            // Compiles and loads nothing: --emit-elf stops before attaching.
            QProcess process;
            process.start(bpftrace, { u"--emit-elf"_s, u"/dev/null"_s, u"-"_s });
            QVERIFY(process.waitForStarted());
            process.write(program.toUtf8());
            process.closeWriteChannel();
            QVERIFY(process.waitForFinished(60000));
            QVERIFY2(process.exitCode() == 0,
                qPrintable(name + u":\n"_s + program + u"\n"_s + QString::fromUtf8(process.readAllStandardError())));
        }
    }
};

QTEST_GUILESS_MAIN(TestMcpPrompts)
#include "tst_mcpprompts.moc"
