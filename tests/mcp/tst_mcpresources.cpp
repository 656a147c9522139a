// SPDX-License-Identifier: GPL-2.0-or-later
// McpResources: the example library and finished runs as tracedesk:// resources.
#include "mcptesthelpers.h"

#include "engine/examplelibrary.h"
#include "engine/run.h"
#include "engine/runmanager.h"
#include "mcp/mcpresources.h"

using namespace Qt::StringLiterals;
using namespace McpTest;

class TestMcpResources : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<McpResources> m_resources;
    QString m_finishedId;
    QString m_pendingId;
    QString m_personId;

    bool listed(const QString &sessionId, const QString &runId) const
    {
        const QJsonArray list = m_resources->list(sessionId);
        return std::any_of(list.begin(), list.end(), [&runId](const QJsonValue &v) {
            return v.toObject().value(u"uri"_s).toString() == u"tracedesk://runs/"_s + runId;
        });
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        EngineConfig config = testConfig(*m_dir, fakeBpftrace());
        m_engine = std::make_unique<Engine>(config);
        m_resources = std::make_unique<McpResources>(m_engine.get());
        m_engine->start();

        RunRequest request;
        request.script = u"BEGIN { FAKE_LINES=3 }"_s;
        request.client = ClientInfo { u"test-client"_s, u"1.0"_s, u"socket"_s, u"s"_s };
        Run *finished = m_engine->runs()->submitClientRun(request);
        QVERIFY(finished);
        m_finishedId = finished->id();
        QVERIFY(m_engine->approvals()->approve(m_finishedId));
        QTRY_VERIFY_WITH_TIMEOUT(finished->state() == RunState::Finished, 10000);

        request.script = u"BEGIN { FAKE_LINES=1 } // still waiting"_s;
        Run *pending = m_engine->runs()->submitClientRun(request);
        QVERIFY(pending);
        m_pendingId = pending->id();

        Run *person = m_engine->runs()->startPersonRun(u"BEGIN { FAKE_LINES=2 }"_s);
        m_personId = person->id();
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(person->state()), 10000);
    }

    void cleanupTestCase()
    {
        m_resources.reset();
        m_engine.reset();
    }

    void listHasExamplesAndFinishedRuns()
    {
        const QJsonArray list = m_resources->list(u"s"_s);
        QVERIFY(ExampleLibrary::all().size() >= 15);
        int examples = 0;
        bool finishedListed = false;
        for (const QJsonValue &v : list) {
            const QJsonObject r = v.toObject();
            const QString uri = r.value(u"uri"_s).toString();
            QVERIFY(!r.value(u"name"_s).toString().isEmpty());
            QVERIFY(!r.value(u"description"_s).toString().isEmpty());
            if (uri.startsWith("tracedesk://examples/"_L1)) {
                ++examples;
                QCOMPARE(r.value(u"mimeType"_s).toString(), u"text/x-bpftrace"_s);
                QVERIFY2(r.value(u"description"_s).toString().contains(u"Requires bpftrace "_s), qPrintable(uri));
                QVERIFY(!r.value(u"title"_s).toString().isEmpty());
            } else {
                QVERIFY(uri.startsWith("tracedesk://runs/"_L1));
                QCOMPARE(r.value(u"mimeType"_s).toString(), u"application/json"_s);
                QVERIFY2(uri != u"tracedesk://runs/"_s + m_pendingId, "an unfinished run is listed");
                finishedListed |= uri == u"tracedesk://runs/"_s + m_finishedId;
            }
        }
        QCOMPARE(examples, int(ExampleLibrary::all().size()));
        QVERIFY(finishedListed);
    }

    // A client's finished runs are its own: another session neither lists, reads nor
    // completes them, and is told "not found" exactly as for an id that never existed.
    void otherSessionsSeeNothing()
    {
        QVERIFY(listed(u"s"_s, m_finishedId));
        QVERIFY(!listed(u"other"_s, m_finishedId));
        QVERIFY(!listed(u""_s, m_finishedId));
        QVERIFY(!m_resources->read(u"tracedesk://runs/"_s + m_finishedId, u"other"_s));
        QVERIFY(
            !m_resources->complete(u"tracedesk://runs/{id}"_s, u"id"_s, QString(), u"other"_s).contains(m_finishedId));
    }

    // The person's runs only when the person allows it, then to every session.
    void personRunsOnlyWhenShared()
    {
        RunManager *runs = m_engine->runs();
        QVERIFY(!runs->personRunsReadableByClients()); // the default
        QVERIFY(!listed(u"s"_s, m_personId));
        QVERIFY(!m_resources->read(u"tracedesk://runs/"_s + m_personId, u"s"_s));
        QVERIFY(!m_resources->complete(u"tracedesk://runs/{id}"_s, u"id"_s, QString(), u"s"_s).contains(m_personId));
        EngineConfig shared = m_engine->config();
        shared.clientsReadPersonRuns = true;
        m_engine->applySettings(shared);
        QVERIFY(listed(u"s"_s, m_personId));
        QVERIFY(listed(u"other"_s, m_personId));
        QVERIFY(m_resources->read(u"tracedesk://runs/"_s + m_personId, u"other"_s));
        QVERIFY(m_resources->complete(u"tracedesk://runs/{id}"_s, u"id"_s, QString(), u"s"_s).contains(m_personId));
        // Sharing the person's runs shares nothing of other clients'.
        QVERIFY(!listed(u"other"_s, m_finishedId));
        shared.clientsReadPersonRuns = false;
        m_engine->applySettings(shared);
        QVERIFY(!listed(u"s"_s, m_personId));
    }

    void templates()
    {
        const QJsonArray templates = m_resources->templates();
        QStringList uris;
        for (const QJsonValue &t : templates) {
            uris.append(t.toObject().value(u"uriTemplate"_s).toString());
            QVERIFY(!t.toObject().value(u"name"_s).toString().isEmpty());
            QVERIFY(!t.toObject().value(u"description"_s).toString().isEmpty());
        }
        QCOMPARE(uris, (QStringList { u"tracedesk://examples/{name}"_s, u"tracedesk://runs/{id}"_s }));
    }

    void readExample()
    {
        const Example first = ExampleLibrary::all().first();
        const auto result = m_resources->read(u"tracedesk://examples/"_s + first.name, u"s"_s);
        QVERIFY(result);
        const QJsonObject content = result->value(u"contents"_s).toArray().first().toObject();
        QCOMPARE(content.value(u"uri"_s).toString(), u"tracedesk://examples/"_s + first.name);
        QCOMPARE(content.value(u"mimeType"_s).toString(), u"text/x-bpftrace"_s);
        QCOMPARE(content.value(u"text"_s).toString(), first.script);
    }

    void readRun()
    {
        const auto result = m_resources->read(u"tracedesk://runs/"_s + m_finishedId, u"s"_s);
        QVERIFY(result);
        const QJsonObject content = result->value(u"contents"_s).toArray().first().toObject();
        QCOMPARE(content.value(u"mimeType"_s).toString(), u"application/json"_s);
        const QJsonObject body = QJsonDocument::fromJson(content.value(u"text"_s).toString().toUtf8()).object();
        QCOMPARE(body.value(u"execution_id"_s).toString(), m_finishedId);
        QCOMPARE(body.value(u"state"_s).toString(), u"finished"_s);
        QCOMPARE(body.value(u"script"_s).toString(), u"BEGIN { FAKE_LINES=3 }"_s);
        QCOMPARE(body.value(u"output"_s).toObject().value(u"returned"_s).toInt(),
            body.value(u"totals"_s).toObject().value(u"total_lines"_s).toInt());
        QVERIFY(body.value(u"maps"_s).toObject().contains(u"@calls"_s));
    }

    void readUnknown_data()
    {
        QTest::addColumn<QString>("uri");
        QTest::newRow("unknown example") << u"tracedesk://examples/no-such-example"_s;
        QTest::newRow("unknown run") << u"tracedesk://runs/no-such-run"_s;
        QTest::newRow("empty name") << u"tracedesk://examples/"_s;
        QTest::newRow("nested path") << u"tracedesk://examples/../syscall-count"_s;
        QTest::newRow("other scheme") << u"file:///etc/passwd"_s;
        QTest::newRow("other host") << u"tracedesk://secrets/x"_s;
        QTest::newRow("garbage") << u"%%%"_s;
    }

    void readUnknown()
    {
        QFETCH(QString, uri);
        QVERIFY(!m_resources->read(uri, u"s"_s));
    }

    void completion()
    {
        QStringList values = m_resources->complete(u"tracedesk://examples/{name}"_s, u"name"_s, u"sys"_s, u"s"_s);
        QVERIFY(!values.isEmpty());
        for (const QString &v : std::as_const(values))
            QVERIFY(v.startsWith(u"sys"_s) || v.contains(u"sys"_s));
        QVERIFY(values.first().startsWith(u"sys"_s));
        values = m_resources->complete(u"tracedesk://examples/{name}"_s, u"name"_s, QString(), u"s"_s);
        QCOMPARE(values.size(), std::min<qsizetype>(100, ExampleLibrary::all().size()));
        values = m_resources->complete(u"tracedesk://runs/{id}"_s, u"id"_s, m_finishedId.left(3), u"s"_s);
        QVERIFY(values.contains(m_finishedId));
        QVERIFY(m_resources->complete(u"tracedesk://runs/{id}"_s, u"name"_s, QString(), u"s"_s).isEmpty());
        QVERIFY(m_resources->complete(u"tracedesk://nothing/{x}"_s, u"x"_s, QString(), u"s"_s).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMcpResources)
#include "tst_mcpresources.moc"
