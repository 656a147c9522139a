// SPDX-License-Identifier: GPL-2.0-or-later
// McpTools driven directly over an Engine whose bpftrace is tests/mcp/fakes/fake-bpftrace.sh
// (deterministic output, failures on demand), plus one pass over the real bpftrace.
#include "../engine/runtestutil.h"
#include "mcptesthelpers.h"

#include "engine/approvalqueue.h"
#include "engine/run.h"
#include "engine/runmanager.h"
#include "engine/targets/targetregistry.h"
#include "mcp/mcpresources.h"
#include "mcp/mcpschema.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTimer>

#include <functional>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace McpTest;

class TestMcpTools : public QObject
{
    Q_OBJECT

private:
    QJsonObject call(const QString &name, const QJsonObject &args = {}, int timeoutMs = 20000)
    {
        McpCancellation cancellation;
        auto state = start(m_tools.get(), name, args, &cancellation);
        m_calls.append(state);
        if (!waitFor(state, timeoutMs)) {
            qWarning() << name << "gave no reply within" << timeoutMs << "ms";
            cancellation.cancel();
            waitFor(state, 1000);
            return {};
        }
        checkResult(name, *state->result);
        return *state->result;
    }

    // Every successful result must carry structuredContent that fits the tool's outputSchema and
    // the same JSON as text; errors carry isError and a readable message.
    void checkResult(const QString &name, const QJsonObject &result)
    {
        m_checked.append(name);
        QVERIFY(result.value(u"content"_s).isArray());
        QCOMPARE(result.value(u"content"_s).toArray().first().toObject().value(u"type"_s).toString(), u"text"_s);
        if (result.value(u"isError"_s).toBool()) {
            QVERIFY(!text(result).isEmpty());
            return;
        }
        const QJsonObject sc = structured(result);
        QVERIFY2(!sc.isEmpty(), qPrintable(name));
        QCOMPARE(QJsonDocument::fromJson(text(result).toUtf8()).object(), sc);
        QJsonObject schema;
        for (const QJsonValue &d : m_tools->definitions()) {
            if (d.toObject().value(u"name"_s).toString() == name)
                schema = d.toObject().value(u"outputSchema"_s).toObject();
        }
        const QString problem = checkSchema(sc, schema);
        QVERIFY2(problem.isEmpty(), qPrintable(name + u": "_s + problem));
    }

    /// A call from another client: its own session, as the dispatcher makes one per connection.
    QJsonObject callAs(const QString &sessionId, const QString &name, const QJsonObject &args = {})
    {
        McpCancellation cancellation;
        McpCallContext ctx = context(&cancellation);
        ctx.sessionId = sessionId;
        ctx.client = ClientInfo { u"client of "_s + sessionId, u"1.0"_s, u"http"_s, sessionId };
        auto state = std::make_shared<CallState>();
        m_tools->call(name, args, ctx, [state](const QJsonObject &result) {
            ++state->replies;
            state->result = result;
        });
        m_calls.append(state);
        if (!waitFor(state, 20000)) {
            cancellation.cancel();
            waitFor(state, 1000);
            return {};
        }
        checkResult(name, *state->result);
        return *state->result;
    }

    QStringList listedIds(const QJsonObject &result)
    {
        QStringList ids;
        for (const QJsonValue &e : structured(result).value(u"executions"_s).toArray())
            ids.append(e.toObject().value(u"execution_id"_s).toString());
        return ids;
    }

    Run *submit(const QString &program, int timeoutSeconds = 30)
    {
        const QJsonObject r = call(u"exec_program"_s,
            QJsonObject {
                { u"program"_s, program }, { u"timeout_seconds"_s, timeoutSeconds }, { u"reason"_s, u"test"_s } });
        const QString id = structured(r).value(u"execution_id"_s).toString();
        return m_engine->runs()->run(id);
    }

    QJsonObject resultUntilTerminal(const QString &id, int maxCalls = 40)
    {
        // Follow the output the way a client does: from next_offset, so each call waits for news.
        QJsonObject last;
        qint64 offset = 0;
        for (int i = 0; i < maxCalls; ++i) {
            last = call(u"get_result"_s,
                QJsonObject { { u"execution_id"_s, id }, { u"offset"_s, offset }, { u"wait_seconds"_s, 2 } });
            if (structured(last).value(u"terminal"_s).toBool())
                break;
            offset = structured(last).value(u"next_offset"_s).toInteger();
        }
        return last;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<McpTools> m_tools;
    QList<std::shared_ptr<CallState>> m_calls;
    QStringList m_checked;

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_engine = std::make_unique<Engine>(testConfig(*m_dir, fakeBpftrace()));
        m_tools = std::make_unique<McpTools>(m_engine.get());
        m_engine->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_engine->catalog()->status() == ProbeCatalog::Status::Ready, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(m_engine->capabilities()->isReady(), 10000);
    }

    void cleanup()
    {
        // Let late callbacks land, then check nobody was answered twice.
        QTest::qWait(20);
        for (const auto &state : std::as_const(m_calls))
            QVERIFY(state->replies <= 1);
        m_calls.clear();
    }

    void cleanupTestCase()
    {
        m_tools.reset();
        m_engine.reset();
    }

    void definitionsAreComplete()
    {
        const QJsonArray defs = m_tools->definitions();
        const QStringList expected { u"list_probes"_s, u"describe_probe"_s, u"bpf_info"_s, u"list_helpers"_s,
            u"validate_program"_s, u"exec_program"_s, u"get_result"_s, u"stop_execution"_s, u"list_executions"_s,
            u"list_targets"_s };
        QStringList names;
        for (const QJsonValue &v : defs) {
            const QJsonObject d = v.toObject();
            const QString name = d.value(u"name"_s).toString();
            names.append(name);
            QVERIFY(m_tools->hasTool(name));
            QVERIFY2(!d.value(u"title"_s).toString().isEmpty(), qPrintable(name));
            QVERIFY2(d.value(u"description"_s).toString().size() > 80, qPrintable(name));
            const QJsonObject input = d.value(u"inputSchema"_s).toObject();
            QCOMPARE(input.value(u"type"_s).toString(), u"object"_s);
            QCOMPARE(input.value(u"additionalProperties"_s), QJsonValue(false));
            for (const QJsonValue &p : input.value(u"properties"_s).toObject()) {
                const QJsonObject prop = p.toObject();
                QVERIFY2(!prop.value(u"description"_s).toString().isEmpty(), qPrintable(name));
                if (prop.value(u"type"_s).toString() == "integer"_L1 || prop.value(u"type"_s).toString() == "number"_L1)
                    QVERIFY2(prop.contains(u"minimum"_s) && prop.contains(u"maximum"_s), qPrintable(name));
                if (prop.value(u"type"_s).toString() == "string"_L1 && !prop.contains(u"enum"_s))
                    QVERIFY2(prop.contains(u"maxLength"_s), qPrintable(name));
            }
            const QJsonObject output = d.value(u"outputSchema"_s).toObject();
            QCOMPARE(output.value(u"type"_s).toString(), u"object"_s);
            // Shared definitions lose nothing: resolved, every property is typed (or, for the
            // values bpftrace decides, described), and the id names the tool.
            const QJsonObject resolved = McpSchema::resolveDefinitions(output);
            QVERIFY2(!resolved.isEmpty(), qPrintable(name));
            QVERIFY2(!QJsonDocument(resolved).toJson().contains("$ref"), qPrintable(name));
            QVERIFY2(output.value(u"$id"_s).toString().startsWith(u"urn:tracedesk:schema:"_s + name + u".output:"_s),
                qPrintable(name));
            std::function<void(const QJsonObject &, const QString &)> typedEverywhere
                = [&](const QJsonObject &schema, const QString &path) {
                      const QJsonObject properties = schema.value(u"properties"_s).toObject();
                      for (auto it = properties.begin(); it != properties.end(); ++it) {
                          const QJsonObject p = it.value().toObject();
                          const QString where = path + u'.' + it.key();
                          QVERIFY2(p.contains(u"type"_s) || !p.value(u"description"_s).toString().isEmpty(),
                              qPrintable(where));
                          typedEverywhere(p, where);
                      }
                      for (const QString &key : { u"items"_s, u"additionalProperties"_s }) {
                          if (schema.value(key).isObject())
                              typedEverywhere(schema.value(key).toObject(), path + u'/' + key);
                      }
                      for (const QJsonValue &part : schema.value(u"allOf"_s).toArray())
                          typedEverywhere(part.toObject(), path + u"/allOf"_s);
                  };
            typedEverywhere(resolved, name);
            const QJsonObject ann = d.value(u"annotations"_s).toObject();
            for (const QString &hint :
                { u"readOnlyHint"_s, u"destructiveHint"_s, u"idempotentHint"_s, u"openWorldHint"_s })
                QVERIFY2(ann.value(hint).isBool(), qPrintable(name + u" "_s + hint));
            static const QRegularExpression valid(u"^[A-Za-z0-9_.-]{1,64}$"_s);
            QVERIFY(valid.match(name).hasMatch());
        }
        QCOMPARE(names, expected);
        QVERIFY(!m_tools->hasTool(u"rm_rf"_s));
        // exec_program must say that a person approves and that it returns at once.
        const QString exec = defs.at(5).toObject().value(u"description"_s).toString();
        QVERIFY(exec.contains(u"approve"_s));
        QVERIFY(exec.contains(u"returns at once"_s));
        QVERIFY(exec.contains(u"wait_seconds"_s));
        QCOMPARE(defs.at(5).toObject().value(u"annotations"_s).toObject().value(u"readOnlyHint"_s).toBool(), false);
        QCOMPARE(defs.at(0).toObject().value(u"annotations"_s).toObject().value(u"readOnlyHint"_s).toBool(), true);
    }

    void badArguments_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QByteArray>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown field") << u"list_probes"_s << QByteArray(R"({"patern": "open"})")
                                       << u"unknown argument 'patern'"_s;
        QTest::newRow("no-arg tool given one")
            << u"list_targets"_s << QByteArray(R"({"x": 1})") << u"takes no arguments"_s;
        // Only targets the person configured: a client cannot name a host of its own. (Plain
        // literals where a URI is in the JSON: moc takes the `//` in a raw string for a comment
        // and then finds no class in this file.)
        for (const QString &tool : { u"list_probes"_s, u"bpf_info"_s }) {
            QTest::newRow(qPrintable(u"unknown target "_s + tool))
                << tool << QByteArray("{\"target\": \"ssh://root@evil.example\"}")
                << u"Unknown target 'ssh://root@evil.example'. Only the targets the person configured can be used: local"_s;
        }
        QTest::newRow("unknown target describe")
            << u"describe_probe"_s
            << QByteArray(R"({"probe": "tracepoint:syscalls:sys_enter_openat", "target": "db1"})")
            << u"Unknown target 'db1'"_s;
        QTest::newRow("unknown target validate")
            << u"validate_program"_s << QByteArray(R"({"program": "BEGIN{}", "target": "-oProxyCommand=id"})")
            << u"Unknown target '-oProxyCommand=id'"_s;
        QTest::newRow("unknown target exec")
            << u"exec_program"_s << QByteArray("{\"program\": \"BEGIN{}\", \"target\": \"k8s://node1\"}")
            << u"Unknown target 'k8s://node1'"_s;
        QTest::newRow("wrong type string")
            << u"list_probes"_s << QByteArray(R"({"limit": "ten"})") << u"'limit' must be an integer"_s;
        QTest::newRow("fraction") << u"list_probes"_s << QByteArray(R"({"limit": 1.5})") << u"whole number"_s;
        QTest::newRow("limit too big") << u"list_probes"_s << QByteArray(R"({"limit": 5001})")
                                       << u"between 1 and 5000"_s;
        QTest::newRow("limit zero") << u"list_probes"_s << QByteArray(R"({"limit": 0})") << u"between 1 and 5000"_s;
        QTest::newRow("bad cursor") << u"list_probes"_s << QByteArray(R"({"cursor": "!!!"})")
                                    << u"'cursor' is not a cursor"_s;
        QTest::newRow("unknown provider")
            << u"list_probes"_s << QByteArray(R"({"provider": "kprob"})") << u"Unknown provider 'kprob'"_s;
        QTest::newRow("missing probe") << u"describe_probe"_s << QByteArray(R"({})")
                                       << u"missing required argument 'probe'"_s;
        QTest::newRow("probe not a name")
            << u"describe_probe"_s << QByteArray(R"({"probe": "openat"})") << u"full probe name"_s;
        QTest::newRow("unknown probe") << u"describe_probe"_s
                                       << QByteArray(R"({"probe": "tracepoint:syscalls:sys_enter_nothing"})")
                                       << u"Unknown probe 'tracepoint:syscalls:sys_enter_nothing'"_s;
        QTest::newRow("probe null") << u"describe_probe"_s << QByteArray(R"({"probe": null})")
                                    << u"must be a string, got null"_s;
        QTest::newRow("empty program") << u"validate_program"_s << QByteArray(R"({"program": ""})")
                                       << u"must not be empty"_s;
        QTest::newRow("blank program") << u"exec_program"_s << QByteArray(R"({"program": "   "})")
                                       << u"only white space"_s;
        QTest::newRow("program array") << u"exec_program"_s << QByteArray(R"({"program": ["a"]})")
                                       << u"must be a string, got an array"_s;
        QTest::newRow("timeout zero") << u"exec_program"_s
                                      << QByteArray(R"({"program": "BEGIN{}", "timeout_seconds": 0})")
                                      << u"'timeout_seconds' must be between 1 and"_s;
        QTest::newRow("timeout huge") << u"exec_program"_s
                                      << QByteArray(R"({"program": "BEGIN{}", "timeout_seconds": 99999})")
                                      << u"'timeout_seconds' must be between 1 and"_s;
        QTest::newRow("unknown id") << u"get_result"_s << QByteArray(R"({"execution_id": "nope"})")
                                    << u"Unknown execution_id 'nope'"_s;
        QTest::newRow("wait too long") << u"get_result"_s << QByteArray(R"({"execution_id": "x", "wait_seconds": 31})")
                                       << u"'wait_seconds' must be between 0 and 30"_s;
        QTest::newRow("negative offset") << u"get_result"_s << QByteArray(R"({"execution_id": "x", "offset": -1})")
                                         << u"'offset' must be between 0"_s;
        QTest::newRow("stop unknown") << u"stop_execution"_s << QByteArray(R"({"execution_id": "nope"})")
                                      << u"Unknown execution_id 'nope'"_s;
        QTest::newRow("unknown status") << u"list_executions"_s << QByteArray(R"({"status": "done"})")
                                        << u"unknown status \"done\"; use one of: pending_approval"_s;
        QTest::newRow("status bool") << u"list_executions"_s << QByteArray(R"({"status": true})")
                                     << u"'status' must be a string"_s;
        QTest::newRow("bad kind") << u"list_helpers"_s << QByteArray(R"({"kind": "macro"})") << u"unknown kind"_s;
        QTest::newRow("exec unknown field")
            << u"exec_program"_s << QByteArray(R"({"program": "BEGIN{}", "timeout": 5})")
            << u"unknown argument 'timeout'; this tool takes: program, reason, target, targets, timeout_seconds"_s;
        // A fleet names only configured targets too, and names them one way.
        QTest::newRow("unknown fleet target")
            << u"exec_program"_s
            << QByteArray("{\"program\": \"BEGIN{}\", \"targets\": [\"local\", \"ssh://root@evil\"]}")
            << u"Unknown target 'ssh://root@evil'"_s;
        QTest::newRow("target and targets")
            << u"exec_program"_s << QByteArray(R"({"program": "BEGIN{}", "target": "local", "targets": ["local"]})")
            << u"Give either 'target' (one) or 'targets' (several), not both."_s;
        QTest::newRow("empty targets") << u"exec_program"_s << QByteArray(R"({"program": "BEGIN{}", "targets": []})")
                                       << u"'targets'"_s;
        QTest::newRow("targets not strings")
            << u"exec_program"_s << QByteArray(R"({"program": "BEGIN{}", "targets": [1]})") << u"'targets"_s;
    }

    void badArguments()
    {
        QFETCH(QString, tool);
        QFETCH(QByteArray, arguments);
        QFETCH(QString, expected);
        const int runsBefore = m_engine->runs()->runs().size();
        const QJsonObject r = call(tool, QJsonDocument::fromJson(arguments).object());
        QVERIFY(r.value(u"isError"_s).toBool());
        QVERIFY(!r.contains(u"structuredContent"_s));
        QVERIFY2(text(r).contains(expected), qPrintable(text(r)));
        QCOMPARE(m_engine->runs()->runs().size(), runsBefore); // nothing was queued
    }

    void listProbes()
    {
        QJsonObject r = call(u"list_probes"_s);
        QJsonObject sc = structured(r);
        QCOMPARE(sc.value(u"catalog_size"_s).toInt(), 13);
        QCOMPARE(sc.value(u"total"_s).toInt(), 13);
        QVERIFY(sc.value(u"providers"_s).toObject().contains(u"tracepoint"_s));

        r = call(u"list_probes"_s, QJsonObject { { u"pattern"_s, u"OPENAT"_s } });
        sc = structured(r);
        QVERIFY(sc.value(u"probes"_s).toArray().contains(u"tracepoint:syscalls:sys_enter_openat"_s));
        QCOMPARE(sc.value(u"total"_s).toInt(), 3);

        r = call(u"list_probes"_s, QJsonObject { { u"pattern"_s, u"tracepoint:syscalls:sys_enter_*"_s } });
        QCOMPARE(structured(r).value(u"total"_s).toInt(), 5);

        r = call(u"list_probes"_s, QJsonObject { { u"provider"_s, u"software"_s } });
        QCOMPARE(structured(r).value(u"total"_s).toInt(), 2);

        // Paging: three pages of 5, 5 and 3 with cursors bound to the query.
        QStringList all;
        QString cursor;
        int pages = 0;
        do {
            QJsonObject args { { u"limit"_s, 5 } };
            if (!cursor.isEmpty())
                args.insert(u"cursor"_s, cursor);
            sc = structured(call(u"list_probes"_s, args));
            for (const QJsonValue &p : sc.value(u"probes"_s).toArray())
                all.append(p.toString());
            cursor = sc.value(u"next_cursor"_s).toString();
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(all.size(), 13);
        QCOMPARE(QSet<QString>(all.begin(), all.end()).size(), 13);

        sc = structured(call(u"list_probes"_s, QJsonObject { { u"limit"_s, 5 } }));
        r = call(u"list_probes"_s,
            QJsonObject { { u"limit"_s, 5 }, { u"pattern"_s, u"sched"_s },
                { u"cursor"_s, sc.value(u"next_cursor"_s).toString() } });
        QVERIFY(r.value(u"isError"_s).toBool());
        QVERIFY(text(r).contains(u"different query"_s));

        sc = structured(call(u"list_probes"_s, QJsonObject { { u"pattern"_s, u"no-such-thing"_s } }));
        QCOMPARE(sc.value(u"total"_s).toInt(), 0);
        QVERIFY(!sc.value(u"hint"_s).toString().isEmpty());
    }

    void listProbesReportsLoadFailure()
    {
        QTemporaryDir dir;
        Engine engine(testConfig(dir, dir.path() + u"/no-such-bpftrace"_s));
        McpTools tools(&engine);
        tools.setLoadWaitMs(3000);
        engine.start();
        McpCancellation cancellation;
        auto state = start(&tools, u"list_probes"_s, {}, &cancellation);
        QVERIFY(waitFor(state, 5000));
        QVERIFY(state->result->value(u"isError"_s).toBool());
        QVERIFY2(text(*state->result).contains(u"could not be loaded"_s)
                || text(*state->result).contains(u"still loading"_s),
            qPrintable(text(*state->result)));
    }

    void listProbesCancelledWhileLoading()
    {
        // A catalog that never loads (no start()) and a long wait: cancellation must answer.
        QTemporaryDir dir;
        Engine engine(testConfig(dir, fakeBpftrace()));
        McpTools tools(&engine);
        tools.setLoadWaitMs(20000);
        McpCancellation cancellation;
        auto state = start(&tools, u"list_probes"_s, {}, &cancellation);
        if (state->result)
            QSKIP("the catalog loaded synchronously; nothing to cancel");
        QTimer::singleShot(50, &cancellation, &McpCancellation::cancel);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(waitFor(state, 5000));
        QVERIFY(timer.elapsed() < 3000 || !state->result->value(u"isError"_s).toBool());
        QCOMPARE(state->replies, 1);
    }

    void describeProbe()
    {
        QJsonObject r
            = call(u"describe_probe"_s, QJsonObject { { u"probe"_s, u"tracepoint:syscalls:sys_enter_openat"_s } });
        QVERIFY2(!r.value(u"isError"_s).toBool(), qPrintable(text(r)));
        const QJsonObject sc = structured(r);
        QCOMPARE(sc.value(u"probe"_s).toString(), u"tracepoint:syscalls:sys_enter_openat"_s);
        bool found = false;
        for (const QJsonValue &a : sc.value(u"arguments"_s).toArray()) {
            if (a.toObject().value(u"name"_s).toString() == "filename"_L1) {
                QCOMPARE(a.toObject().value(u"type"_s).toString(), u"const char *"_s);
                found = true;
            }
        }
        QVERIFY(found);
        QVERIFY(sc.value(u"usage"_s).toString().contains(u"args."_s));
    }

    void listTargets()
    {
        const QJsonObject sc = structured(call(u"list_targets"_s));
        const QJsonArray targets = sc.value(u"targets"_s).toArray();
        QCOMPARE(targets.size(), 1);
        const QJsonObject local = targets.at(0).toObject();
        QCOMPARE(local.value(u"name"_s).toString(), u"local"_s);
        QCOMPARE(local.value(u"kind"_s).toString(), u"local"_s);
        QCOMPARE(local.value(u"default"_s), QJsonValue(true));
        QCOMPARE(local.value(u"bpftrace_version"_s).toString(), u"0.23.2"_s);
        // Naming the local target is the same as naming none.
        QCOMPARE(
            structured(call(u"bpf_info"_s, QJsonObject { { u"target"_s, u"local"_s } })).value(u"version"_s).toString(),
            u"0.23.2"_s);
    }

    void bpfInfo()
    {
        const QJsonObject sc = structured(call(u"bpf_info"_s));
        QCOMPARE(sc.value(u"version"_s).toString(), u"0.23.2"_s);
        QCOMPARE(sc.value(u"probe_types"_s).toObject().value(u"tracepoint"_s), QJsonValue(true));
        QCOMPARE(sc.value(u"probe_types"_s).toObject().value(u"fentry"_s), QJsonValue(false));
        QCOMPARE(sc.value(u"kernel_helpers"_s).toObject().value(u"probe_read"_s), QJsonValue(true));
        QVERIFY(!sc.value(u"privilege"_s).toString().isEmpty());
    }

    void listHelpers()
    {
        QJsonObject sc = structured(call(u"list_helpers"_s));
        QCOMPARE(sc.value(u"bpftrace_version"_s).toString(), u"0.23.2"_s);
        const int all = sc.value(u"count"_s).toInt();
        QVERIFY(all > 30);
        QStringList names;
        bool unsafeMarked = false;
        for (const QJsonValue &h : sc.value(u"helpers"_s).toArray()) {
            const QJsonObject o = h.toObject();
            names.append(o.value(u"name"_s).toString());
            QVERIFY(!o.value(u"line"_s).toString().contains(u'\n'));
            if (o.value(u"unsafe"_s).toBool())
                unsafeMarked = o.value(u"line"_s).toString().contains(u"unsafe"_s);
        }
        QVERIFY(names.contains(u"printf"_s));
        QVERIFY(names.contains(u"comm"_s));
        QVERIFY(unsafeMarked);
        sc = structured(call(u"list_helpers"_s, QJsonObject { { u"kind"_s, u"variable"_s } }));
        QVERIFY(sc.value(u"count"_s).toInt() > 0);
        QVERIFY(sc.value(u"count"_s).toInt() < all);
        for (const QJsonValue &h : sc.value(u"helpers"_s).toArray())
            QCOMPARE(h.toObject().value(u"kind"_s).toString(), u"variable"_s);
    }

    void validateProgram()
    {
        QJsonObject sc = structured(call(u"validate_program"_s,
            QJsonObject { { u"program"_s, u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s } }));
        QCOMPARE(sc.value(u"valid"_s).toBool(), true);
        QCOMPARE(sc.value(u"checked"_s).toBool(), true);
        QCOMPARE(sc.value(u"status"_s).toString(), u"valid"_s);
        QVERIFY(!sc.contains(u"unchecked_reason"_s));
        QVERIFY(sc.value(u"probe_specs"_s).toArray().contains(u"tracepoint:syscalls:sys_enter_openat"_s));
        QVERIFY(sc.value(u"next_step"_s).toString().contains(u"exec_program"_s));

        sc = structured(call(u"validate_program"_s, QJsonObject { { u"program"_s, u"BEGIN { FAKE_FAIL(); }"_s } }));
        QCOMPARE(sc.value(u"valid"_s).toBool(), false);
        QCOMPARE(sc.value(u"status"_s).toString(), u"invalid"_s);
        QVERIFY(!sc.value(u"diagnostics"_s).toArray().isEmpty());
        QVERIFY(sc.value(u"next_step"_s).toString().contains(u"Fix"_s));
        QCOMPARE(m_engine->runs()->runs().size(), 0); // validation never creates a run
    }

    // When bpftrace cannot be run at all, nothing vouches for the program: never "valid".
    void validateProgramNotChecked()
    {
        QTemporaryDir dir;
        Engine engine(testConfig(dir, u"/nonexistent/bpftrace"_s));
        McpTools tools(&engine);
        engine.start();
        McpCancellation cancellation;
        auto state = start(&tools, u"validate_program"_s,
            QJsonObject { { u"program"_s, u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s } },
            &cancellation);
        QVERIFY(waitFor(state, 20000));
        const QJsonObject result = *state->result;
        QVERIFY2(!result.value(u"isError"_s).toBool(), qPrintable(text(result)));
        const QJsonObject sc = structured(result);
        QCOMPARE(sc.value(u"valid"_s).toBool(), false);
        QCOMPARE(sc.value(u"checked"_s).toBool(), false);
        QCOMPARE(sc.value(u"status"_s).toString(), u"not-checked"_s);
        QVERIFY2(!sc.value(u"unchecked_reason"_s).toString().isEmpty(), QJsonDocument(sc).toJson().constData());
        const QString next = sc.value(u"next_step"_s).toString();
        QVERIFY2(next.startsWith(u"Not checked"_s) && !next.contains(u"It compiles"_s), qPrintable(next));
        // The reply fits the schema this endpoint advertises.
        QJsonObject schema;
        for (const QJsonValue &d : tools.definitions()) {
            if (d.toObject().value(u"name"_s).toString() == "validate_program"_L1)
                schema = d.toObject().value(u"outputSchema"_s).toObject();
        }
        const QString problem = checkSchema(sc, schema);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // A target whose bpftrace never answers (-l, --info, -lv, the check) is removed while a
    // tool waits on it: the client hears at once, not after the 10 s or 30 s wait.
    void toolOnTargetThatGoes_data()
    {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QJsonObject>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("validate_program")
            << u"validate_program"_s << QJsonObject { { u"program"_s, u"BEGIN { @n = count(); }"_s } } << QString();
        QTest::newRow("list_probes") << u"list_probes"_s << QJsonObject {}
                                     << u"Target 'a' was removed before its probe catalog loaded"_s;
        QTest::newRow("describe_probe")
            << u"describe_probe"_s << QJsonObject { { u"probe"_s, u"tracepoint:syscalls:sys_enter_openat"_s } }
            << u"Target 'a' was removed before bpftrace described 'tracepoint:syscalls:sys_enter_openat'"_s;
        QTest::newRow("bpf_info") << u"bpf_info"_s << QJsonObject {}
                                  << u"Target 'a' was removed before bpftrace --info answered"_s;
    }

    void toolOnTargetThatGoes()
    {
        QFETCH(QString, tool);
        QFETCH(QJsonObject, args);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        EngineConfig config = testConfig(dir, fakeBpftrace());
        config.targetOptions = fakeSshOptions(dir.path());
        Target target = *Target::parseWithName(u"a=ssh://root@a"_s);
        target.privilege = RemotePrivilege::Login;
        target.bpftracePath = fakePath(u"stubborn.sh"_s);
        config.targets = { target };
        Engine engine(config);
        McpTools tools(&engine);
        engine.start();
        McpCancellation cancellation;
        args.insert(u"target"_s, u"a"_s);
        auto state = start(&tools, tool, args, &cancellation);
        QTest::qWait(300);
        QVERIFY2(!state->result, state->result ? qPrintable(text(*state->result)) : "");
        QElapsedTimer removed;
        removed.start();
        QVERIFY(engine.targets()->removeTarget(u"a"_s));
        QVERIFY(waitFor(state, 40000));
        QVERIFY2(removed.elapsed() < 5000, qPrintable(QString::number(removed.elapsed())));
        QCOMPARE(state->replies, 1);
        const QJsonObject result = *state->result;
        if (!expected.isEmpty()) {
            QVERIFY(result.value(u"isError"_s).toBool());
            QVERIFY2(text(result).startsWith(expected), qPrintable(text(result)));
            return;
        }
        QVERIFY2(!result.value(u"isError"_s).toBool(), qPrintable(text(result)));
        const QJsonObject sc = structured(result);
        QCOMPARE(sc.value(u"status"_s).toString(), u"not-checked"_s);
        QCOMPARE(sc.value(u"valid"_s).toBool(), false);
        QCOMPARE(sc.value(u"target"_s).toString(), u"a"_s);
        QVERIFY2(
            sc.value(u"unchecked_reason"_s).toString().contains(u"target a was removed before its bpftrace answered"_s),
            QJsonDocument(sc).toJson().constData());
        QVERIFY2(sc.value(u"next_step"_s).toString().contains(u"list_targets"_s),
            qPrintable(sc.value(u"next_step"_s).toString()));
    }

    void execApproveAndLongPoll()
    {
        const QJsonObject r = call(u"exec_program"_s,
            QJsonObject { { u"program"_s, u"BEGIN { FAKE_LINES=4 }"_s }, { u"timeout_seconds"_s, 20 },
                { u"reason"_s, u"count things"_s } });
        const QJsonObject sc = structured(r);
        QCOMPARE(sc.value(u"status"_s).toString(), u"pending_approval"_s);
        QVERIFY(sc.value(u"message"_s).toString().contains(u"approve"_s));
        QCOMPARE(sc.value(u"timeout_seconds"_s).toInt(), 20);
        const QString id = sc.value(u"execution_id"_s).toString();
        Run *run = m_engine->runs()->run(id);
        QVERIFY(run);
        QCOMPARE(run->client().name, u"test-client"_s);
        QCOMPARE(run->reason(), u"count things"_s);

        // A long-poll on a pending run returns as soon as the person approves (state change).
        QTimer::singleShot(200, m_engine.get(), [this, id] { m_engine->approvals()->approve(id); });
        QElapsedTimer timer;
        timer.start();
        QJsonObject polled
            = structured(call(u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"wait_seconds"_s, 20 } }));
        QVERIFY2(timer.elapsed() < 5000, "long-poll did not return on the change of state");
        QVERIFY(timer.elapsed() >= 150);
        QVERIFY(polled.value(u"state"_s).toString() != "pending_approval"_L1);

        const QJsonObject done = structured(resultUntilTerminal(id));
        QCOMPARE(done.value(u"state"_s).toString(), u"finished"_s);
        QCOMPARE(done.value(u"terminal"_s).toBool(), true);
        QCOMPARE(done.value(u"decision"_s).toObject().value(u"decision"_s).toString(), u"approved"_s);
        QCOMPARE(done.value(u"decision"_s).toObject().value(u"script_edited"_s).toBool(), false);
        QCOMPARE(done.value(u"attached_probes"_s).toInt(), 2);

        // Page through the output from the start.
        QJsonObject page
            = structured(call(u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"limit"_s, 2 } }));
        QJsonArray lines = page.value(u"output"_s).toObject().value(u"lines"_s).toArray();
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines.at(0).toObject().value(u"offset"_s).toInt(), 0);
        QVERIFY(page.value(u"output"_s).toObject().value(u"has_more"_s).toBool());
        const qint64 next = page.value(u"next_offset"_s).toInteger();
        QCOMPARE(next, 2);
        page = structured(call(u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"offset"_s, next } }));
        QStringList texts;
        for (const QJsonValue &l : page.value(u"output"_s).toObject().value(u"lines"_s).toArray())
            texts.append(l.toObject().value(u"text"_s).toString());
        QVERIFY2(texts.join(u'|').contains(u"line 3"_s), qPrintable(texts.join(u'|')));
        const qint64 total = page.value(u"totals"_s).toObject().value(u"total_lines"_s).toInteger();
        QCOMPARE(page.value(u"next_offset"_s).toInteger(), total);
        QCOMPARE(page.value(u"output"_s).toObject().value(u"has_more"_s).toBool(), false);

        // Offsets past the end are refused with what to do instead.
        const QJsonObject past
            = call(u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"offset"_s, total + 5 } });
        QVERIFY(past.value(u"isError"_s).toBool());
        QVERIFY(text(past).contains(u"next_offset"_s));

        // Maps as structured data.
        const QJsonObject maps = done.value(u"maps"_s).toObject();
        const QJsonObject calls = maps.value(u"@calls"_s).toObject();
        QCOMPARE(calls.value(u"kind"_s).toString(), u"map"_s);
        const QJsonArray entries = calls.value(u"entries"_s).toArray();
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(0).toObject().value(u"key"_s).toString(), u"read"_s); // largest first
        QCOMPARE(entries.at(0).toObject().value(u"value"_s).toInt(), 40);
        const QJsonObject hist = maps.value(u"@lat_us"_s).toObject();
        QCOMPARE(hist.value(u"kind"_s).toString(), u"hist"_s);
        QCOMPARE(hist.value(u"total_count"_s).toInt(), 11);
        QStringList labels;
        for (const QJsonValue &b : hist.value(u"buckets"_s).toArray())
            labels.append(b.toObject().value(u"label"_s).toString());
        QCOMPARE(labels, (QStringList { u"(..., 0)"_s, u"[0]"_s, u"[4, 8)"_s, u"[1K, 2K)"_s }));
        QCOMPARE(maps.value(u"@total"_s).toObject().value(u"value"_s).toInt(), 59);
    }

    void longPollReturnsOnOutput()
    {
        Run *run = submit(u"BEGIN { FAKE_LONG }"_s);
        QVERIFY(run);
        const QString id = run->id();
        QVERIFY(m_engine->approvals()->approve(id));
        QTRY_VERIFY_WITH_TIMEOUT(run->totalLines() > 2, 10000);
        const qint64 offset = run->totalLines();
        QElapsedTimer timer;
        timer.start();
        const QJsonObject sc = structured(call(u"get_result"_s,
            QJsonObject { { u"execution_id"_s, id }, { u"offset"_s, offset }, { u"wait_seconds"_s, 20 } }));
        QVERIFY2(timer.elapsed() < 3000, "long-poll did not return on new output");
        QVERIFY(sc.value(u"output"_s).toObject().value(u"returned"_s).toInt() >= 1);
        QCOMPARE(sc.value(u"output"_s)
                     .toObject()
                     .value(u"lines"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"offset"_s)
                     .toInteger(),
            offset);
        QCOMPARE(sc.value(u"state"_s).toString(), u"running"_s);
        QVERIFY(sc.value(u"message"_s).toString().contains(u"stop_execution"_s));

        // stop_execution: the same as the person's Stop, and the maps still arrive.
        const QJsonObject stopped = structured(call(u"stop_execution"_s, QJsonObject { { u"execution_id"_s, id } }));
        QCOMPARE(stopped.value(u"terminal"_s).toBool(), true);
        QCOMPARE(stopped.value(u"state"_s).toString(), u"stopped"_s);
        QVERIFY(stopped.value(u"map_names"_s).toArray().contains(u"@calls"_s));
        const QJsonObject after = structured(call(u"get_result"_s, QJsonObject { { u"execution_id"_s, id } }));
        QCOMPARE(after.value(u"state"_s).toString(), u"stopped"_s);
        QVERIFY(after.value(u"maps"_s).toObject().contains(u"@lat_us"_s));
        QVERIFY(after.value(u"message"_s).toString().contains(u"final"_s));

        // Stopping again is an error that says what to do.
        const QJsonObject again = call(u"stop_execution"_s, QJsonObject { { u"execution_id"_s, id } });
        QVERIFY(again.value(u"isError"_s).toBool());
        QVERIFY(text(again).contains(u"already ended"_s));
    }

    void longPollTimesOutAndCancels()
    {
        Run *run = submit(u"BEGIN { FAKE_LINES=1 }"_s);
        QVERIFY(run);
        QElapsedTimer timer;
        timer.start();
        QJsonObject sc = structured(
            call(u"get_result"_s, QJsonObject { { u"execution_id"_s, run->id() }, { u"wait_seconds"_s, 0.3 } }));
        QVERIFY(timer.elapsed() >= 250);
        QVERIFY(timer.elapsed() < 3000);
        QCOMPARE(sc.value(u"state"_s).toString(), u"pending_approval"_s);
        QVERIFY(sc.value(u"message"_s).toString().contains(u"Waiting for the person"_s));
        QVERIFY(sc.contains(u"approval_expires_at"_s));

        // Cancellation ends a long-poll at once, with exactly one reply.
        McpCancellation cancellation;
        auto state = start(m_tools.get(), u"get_result"_s,
            QJsonObject { { u"execution_id"_s, run->id() }, { u"wait_seconds"_s, 30 } }, &cancellation);
        m_calls.append(state);
        QTest::qWait(100);
        QVERIFY(!state->result);
        timer.restart();
        cancellation.cancel();
        QVERIFY(waitFor(state, 2000));
        QVERIFY(timer.elapsed() < 1000);
        QCOMPARE(state->replies, 1);

        // Withdraw it: stopping a pending run denies it.
        const QJsonObject stopped
            = structured(call(u"stop_execution"_s, QJsonObject { { u"execution_id"_s, run->id() } }));
        QCOMPARE(stopped.value(u"terminal"_s).toBool(), true);
    }

    void deniedIsReportedPlainly()
    {
        Run *run = submit(u"BEGIN { FAKE_LINES=1 } // denied"_s);
        QVERIFY(run);
        QVERIFY(m_engine->approvals()->deny(run->id(), u"too broad"_s));
        const QJsonObject sc = structured(resultUntilTerminal(run->id()));
        QCOMPARE(sc.value(u"state"_s).toString(), u"denied"_s);
        const QString message = sc.value(u"message"_s).toString();
        QVERIFY2(message.contains(u"Denied by the person: too broad"_s), qPrintable(message));
        QVERIFY(message.contains(u"do not retry the same script"_s, Qt::CaseInsensitive));
        QCOMPARE(sc.value(u"decision"_s).toObject().value(u"message"_s).toString(), u"too broad"_s);
        QCOMPARE(sc.value(u"output"_s).toObject().value(u"returned"_s).toInt(), 0);

        // Denied without a message (the panel's Deny with the field empty): said once, and a
        // message that ends its sentence does not end the client's one early.
        const QList<std::pair<QString, QString>> denials {
            { QString(), u"Denied by the person; it did not run."_s },
            { u"Not on production."_s, u"Denied by the person: Not on production; it did not run."_s },
        };
        for (const auto &[given, expected] : denials) {
            Run *again = submit(u"BEGIN { FAKE_LINES=1 } // denied again"_s);
            QVERIFY(again);
            QVERIFY(m_engine->approvals()->deny(again->id(), given));
            const QString said = structured(resultUntilTerminal(again->id())).value(u"message"_s).toString();
            QVERIFY2(said.startsWith(expected), qPrintable(said));
        }
    }

    void editedIsReported()
    {
        Run *run = submit(u"BEGIN { FAKE_LINES=1 } // original"_s);
        QVERIFY(run);
        const QString edited = u"BEGIN { FAKE_LINES=2 } // narrowed by the person"_s;
        QVERIFY(m_engine->approvals()->approveEdited(run->id(), edited));
        const QJsonObject sc = structured(resultUntilTerminal(run->id()));
        QCOMPARE(sc.value(u"state"_s).toString(), u"finished"_s);
        const QJsonObject decision = sc.value(u"decision"_s).toObject();
        QCOMPARE(decision.value(u"script_edited"_s).toBool(), true);
        QCOMPARE(decision.value(u"script"_s).toString(), edited);
        QCOMPARE(decision.value(u"decision"_s).toString(), u"approved_edited"_s);
        QVERIFY(sc.value(u"message"_s).toString().contains(u"edited"_s));
    }

    void failedRunReportsDiagnostics()
    {
        Run *run = submit(u"BEGIN { FAKE_FAIL(); }"_s);
        QVERIFY(run);
        QVERIFY(m_engine->approvals()->approve(run->id()));
        const QJsonObject sc = structured(resultUntilTerminal(run->id()));
        QCOMPARE(sc.value(u"state"_s).toString(), u"failed"_s);
        QVERIFY(sc.value(u"message"_s).toString().startsWith(u"Failed"_s));
        QVERIFY(!sc.value(u"diagnostics"_s).toArray().isEmpty());
    }

    void listExecutions()
    {
        // Earlier tests left finished, stopped, denied and failed runs behind.
        QJsonObject sc = structured(call(u"list_executions"_s));
        const int total = sc.value(u"total"_s).toInt();
        QVERIFY(total >= 5);
        QCOMPARE(total, int(m_engine->runs()->runs().size()));
        QCOMPARE(sc.value(u"executions"_s).toArray().first().toObject().value(u"execution_id"_s).toString(),
            m_engine->runs()->runs().first()->id()); // newest first

        QStringList seen;
        QString cursor;
        int pages = 0;
        do {
            QJsonObject args { { u"limit"_s, 2 } };
            if (!cursor.isEmpty())
                args.insert(u"cursor"_s, cursor);
            sc = structured(call(u"list_executions"_s, args));
            QVERIFY(sc.value(u"returned"_s).toInt() <= 2);
            for (const QJsonValue &e : sc.value(u"executions"_s).toArray())
                seen.append(e.toObject().value(u"execution_id"_s).toString());
            cursor = sc.value(u"next_cursor"_s).toString();
            ++pages;
        } while (!cursor.isEmpty() && pages < 50);
        QCOMPARE(seen.size(), total);
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), total);
        QCOMPARE(pages, (total + 1) / 2);

        sc = structured(call(u"list_executions"_s, QJsonObject { { u"status"_s, u"denied"_s } }));
        QVERIFY(sc.value(u"total"_s).toInt() >= 1);
        for (const QJsonValue &e : sc.value(u"executions"_s).toArray())
            QCOMPARE(e.toObject().value(u"state"_s).toString(), u"denied"_s);
        sc = structured(call(u"list_executions"_s, QJsonObject { { u"status"_s, u"terminal"_s } }));
        QCOMPARE(sc.value(u"total"_s).toInt(), total);
        sc = structured(call(u"list_executions"_s, QJsonObject { { u"status"_s, u"running"_s } }));
        QCOMPARE(sc.value(u"total"_s).toInt(), 0);

        sc = structured(call(u"list_executions"_s, QJsonObject { { u"limit"_s, 1 } }));
        const QJsonObject wrong = call(u"list_executions"_s,
            QJsonObject { { u"limit"_s, 1 }, { u"status"_s, u"failed"_s },
                { u"cursor"_s, sc.value(u"next_cursor"_s).toString() } });
        QVERIFY(wrong.value(u"isError"_s).toBool());
        QVERIFY(text(wrong).contains(u"different 'status'"_s));
    }

    // One client neither sees nor stops another's runs, and is told "unknown" as for an id
    // that never existed; a withdrawal by another client leaves the request pending.
    void clientsAreSeparated()
    {
        Run *mine = submit(u"BEGIN { FAKE_LINES=1 } // mine"_s);
        QVERIFY(mine);
        QCOMPARE(mine->client().sessionId, u"session-1"_s);
        const QString id = mine->id();
        const QJsonObject args { { u"execution_id"_s, id } };

        QVERIFY(!listedIds(callAs(u"session-2"_s, u"list_executions"_s)).contains(id));
        QJsonObject r = callAs(u"session-2"_s, u"get_result"_s, args);
        QVERIFY(r.value(u"isError"_s).toBool());
        const QJsonObject never = callAs(u"session-2"_s, u"get_result"_s, { { u"execution_id"_s, u"run-nope"_s } });
        // Word for word the answer for an id that never existed: nothing says the run is real.
        QCOMPARE(text(r).replace(id, u"ID"_s), text(never).replace(u"run-nope"_s, u"ID"_s));
        r = callAs(u"session-2"_s, u"stop_execution"_s, args);
        QVERIFY(r.value(u"isError"_s).toBool());
        QVERIFY2(text(r).contains(u"Unknown execution_id"_s), qPrintable(text(r)));
        QCOMPARE(mine->state(), RunState::PendingApproval); // not withdrawn
        QVERIFY(m_engine->approvals()->pending().contains(mine));

        // Its owner sees it and may withdraw it.
        QVERIFY(listedIds(call(u"list_executions"_s)).contains(id));
        QVERIFY(!call(u"get_result"_s, args).value(u"isError"_s).toBool());
        r = call(u"stop_execution"_s, args);
        QVERIFY2(!r.value(u"isError"_s).toBool(), qPrintable(text(r)));
        QCOMPARE(mine->state(), RunState::Denied);

        // A run of session-2 is just as invisible to session-1.
        const QString theirs = structured(
            callAs(u"session-2"_s, u"exec_program"_s, { { u"program"_s, u"BEGIN { FAKE_LINES=1 } // theirs"_s } }))
                                   .value(u"execution_id"_s)
                                   .toString();
        QVERIFY(!theirs.isEmpty());
        QCOMPARE(m_engine->runs()->run(theirs)->client().sessionId, u"session-2"_s);
        QVERIFY(!listedIds(call(u"list_executions"_s)).contains(theirs));
        QVERIFY(call(u"stop_execution"_s, { { u"execution_id"_s, theirs } }).value(u"isError"_s).toBool());
        QCOMPARE(m_engine->runs()->run(theirs)->state(), RunState::PendingApproval);
        QVERIFY(listedIds(callAs(u"session-2"_s, u"list_executions"_s)).contains(theirs));
        QVERIFY(!callAs(u"session-2"_s, u"stop_execution"_s, { { u"execution_id"_s, theirs } })
                .value(u"isError"_s)
                .toBool());
    }

    // The client cannot choose whose run it makes: the session id is the server's.
    void ownerIsTheServersSession()
    {
        McpCancellation cancellation;
        McpCallContext ctx = context(&cancellation);
        ctx.client.sessionId = u"session-9"_s; // whatever the client info claims
        auto state = std::make_shared<CallState>();
        m_tools->call(u"exec_program"_s, { { u"program"_s, u"BEGIN { FAKE_LINES=1 } // claim"_s } }, ctx,
            [state](const QJsonObject &result) {
                ++state->replies;
                state->result = result;
            });
        m_calls.append(state);
        QVERIFY(waitFor(state, 5000));
        Run *run = m_engine->runs()->run(structured(*state->result).value(u"execution_id"_s).toString());
        QVERIFY(run);
        QCOMPARE(run->client().sessionId, u"session-1"_s);
        QVERIFY(m_engine->runs()->stop(run->id()));

        ctx.sessionId.clear();
        state = std::make_shared<CallState>();
        m_tools->call(u"exec_program"_s, { { u"program"_s, u"BEGIN { }"_s } }, ctx, [state](const QJsonObject &result) {
            ++state->replies;
            state->result = result;
        });
        m_calls.append(state);
        QVERIFY(waitFor(state, 5000));
        QVERIFY(state->result->value(u"isError"_s).toBool());
    }

    // The person's runs: hidden by default; with the setting, readable by every client but
    // never stopped by one.
    void personRunsSharedReadOnly()
    {
        Run *person = m_engine->runs()->startPersonRun(u"BEGIN { FAKE_LONG }"_s);
        QTRY_COMPARE_WITH_TIMEOUT(person->state(), RunState::Running, 10000);
        const QJsonObject args { { u"execution_id"_s, person->id() } };
        QVERIFY(!m_engine->config().clientsReadPersonRuns);
        QVERIFY(!listedIds(call(u"list_executions"_s)).contains(person->id()));
        QVERIFY(text(call(u"get_result"_s, args)).contains(u"Unknown execution_id"_s));
        QVERIFY(text(call(u"stop_execution"_s, args)).contains(u"Unknown execution_id"_s));

        EngineConfig shared = m_engine->config();
        shared.clientsReadPersonRuns = true;
        m_engine->applySettings(shared);
        QVERIFY(listedIds(call(u"list_executions"_s)).contains(person->id()));
        QVERIFY(listedIds(callAs(u"session-3"_s, u"list_executions"_s)).contains(person->id()));
        const QJsonObject read = call(u"get_result"_s, args);
        QVERIFY2(!read.value(u"isError"_s).toBool(), qPrintable(text(read)));
        QCOMPARE(structured(read).value(u"origin"_s).toString(), u"person"_s);
        const QJsonObject stop = call(u"stop_execution"_s, args);
        QVERIFY(stop.value(u"isError"_s).toBool());
        QVERIFY2(text(stop).contains(u"belongs to the person"_s), qPrintable(text(stop)));
        QCOMPARE(person->state(), RunState::Running);

        shared.clientsReadPersonRuns = false;
        m_engine->applySettings(shared);
        QVERIFY(!listedIds(call(u"list_executions"_s)).contains(person->id()));
        QVERIFY(m_engine->runs()->stop(person->id()));
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(person->state()), 10000);
    }

    void everyToolWasChecked()
    {
        for (const QJsonValue &d : m_tools->definitions())
            QVERIFY2(m_checked.contains(d.toObject().value(u"name"_s).toString()),
                qPrintable(d.toObject().value(u"name"_s).toString()));
    }

    void againstRealBpftrace()
    {
        if (realBpftrace().isEmpty())
            QSKIP("bpftrace is not installed");
        if (geteuid() != 0)
            QSKIP("tracing needs root here");
        QTemporaryDir dir;
        EngineConfig config = testConfig(dir, McpTest::realBpftrace());
        config.approvalPolicy = ApprovalPolicy::AllowAll;
        Engine engine(config);
        McpTools tools(&engine);
        engine.start();
        McpCancellation cancellation;
        auto run = [&](const QString &name, const QJsonObject &args) {
            auto state = start(&tools, name, args, &cancellation);
            if (!waitFor(state, 30000))
                return QJsonObject();
            checkResult(name, *state->result);
            return *state->result;
        };
        QJsonObject sc = structured(run(u"list_probes"_s, QJsonObject { { u"pattern"_s, u"sys_enter_openat"_s } }));
        QVERIFY(sc.value(u"probes"_s).toArray().contains(u"tracepoint:syscalls:sys_enter_openat"_s));
        sc = structured(
            run(u"describe_probe"_s, QJsonObject { { u"probe"_s, u"tracepoint:syscalls:sys_enter_openat"_s } }));
        QVERIFY(QJsonDocument(sc).toJson().contains("filename"));
        const QString program = u"tracepoint:raw_syscalls:sys_enter { @syscalls[comm] = count(); } "
                                "interval:ms:300 { exit(); }"_s;
        sc = structured(run(u"validate_program"_s, QJsonObject { { u"program"_s, program } }));
        QCOMPARE(sc.value(u"valid"_s).toBool(), true);
        sc = structured(
            run(u"exec_program"_s, QJsonObject { { u"program"_s, program }, { u"timeout_seconds"_s, 20 } }));
        const QString id = sc.value(u"execution_id"_s).toString();
        QVERIFY(!id.isEmpty());
        qint64 offset = 0;
        for (int i = 0; i < 30; ++i) {
            sc = structured(run(u"get_result"_s,
                QJsonObject { { u"execution_id"_s, id }, { u"offset"_s, offset }, { u"wait_seconds"_s, 5 } }));
            if (sc.value(u"terminal"_s).toBool())
                break;
            offset = sc.value(u"next_offset"_s).toInteger();
        }
        QVERIFY2(sc.value(u"state"_s).toString() == "finished"_L1, QJsonDocument(sc).toJson().constData());
        const QJsonObject map = sc.value(u"maps"_s).toObject().value(u"@syscalls"_s).toObject();
        QCOMPARE(map.value(u"kind"_s).toString(), u"map"_s);
        QVERIFY(!map.value(u"entries"_s).toArray().isEmpty());
        QCOMPARE(sc.value(u"decision"_s).toObject().value(u"decision"_s).toString(), u"approved_by_policy"_s);
    }

    // The issue's end-to-end case: CPU stacks sampled at 99 Hz and syscalls per process printed
    // and cleared each second, read by a client as typed stacks, top_stacks and a delta series.
    void stacksAndSeriesAgainstRealBpftrace()
    {
        if (realBpftrace().isEmpty())
            QSKIP("bpftrace is not installed");
        if (geteuid() != 0)
            QSKIP("tracing needs root here");
        QTemporaryDir dir;
        EngineConfig config = testConfig(dir, McpTest::realBpftrace());
        config.approvalPolicy = ApprovalPolicy::AllowAll;
        Engine engine(config);
        McpTools tools(&engine);
        engine.start();
        McpCancellation cancellation;
        auto run = [&](const QString &name, const QJsonObject &args) {
            auto state = start(&tools, name, args, &cancellation);
            if (!waitFor(state, 60000))
                return QJsonObject();
            checkResult(name, *state->result);
            return *state->result;
        };
        const QString program = u"profile:hz:99 { @[kstack] = count(); } "
                                "tracepoint:raw_syscalls:sys_enter { @s[comm] = count(); } "
                                "tracepoint:syscalls:sys_enter_reboot { @reboot[comm] = count(); } "
                                "interval:s:1 { print(@s); clear(@s); } interval:s:3 { exit(); }"_s;
        QJsonObject sc = structured(
            run(u"exec_program"_s, QJsonObject { { u"program"_s, program }, { u"timeout_seconds"_s, 30 } }));
        const QString id = sc.value(u"execution_id"_s).toString();
        QVERIFY2(!id.isEmpty(), QJsonDocument(sc).toJson().constData());
        qint64 offset = 0;
        for (int i = 0; i < 30; ++i) {
            sc = structured(run(u"get_result"_s,
                QJsonObject { { u"execution_id"_s, id }, { u"offset"_s, offset }, { u"wait_seconds"_s, 5 } }));
            if (sc.value(u"terminal"_s).toBool())
                break;
            offset = sc.value(u"next_offset"_s).toInteger();
        }
        QVERIFY2(sc.value(u"state"_s).toString() == "finished"_L1, QJsonDocument(sc).toJson().constData());

        const QJsonObject maps = sc.value(u"maps"_s).toObject();
        const QJsonObject stacks = maps.value(u"@"_s).toObject();
        QCOMPARE(stacks.value(u"key_types"_s).toArray(), QJsonArray { u"kstack"_s });
        const QJsonArray top = stacks.value(u"top_stacks"_s).toArray();
        QVERIFY2(!top.isEmpty(), QJsonDocument(stacks).toJson().constData());
        QVERIFY(top.size() <= 10);
        double shares = 0;
        for (const QJsonValue &t : top) {
            shares += t.toObject().value(u"share"_s).toDouble();
            QCOMPARE(t.toObject().value(u"stack"_s).toObject().value(u"space"_s).toString(), u"kernel"_s);
        }
        QVERIFY(shares > 0 && shares <= 1.0 + 1e-9);
        // Some sample landed in the kernel with frames (2 cores, 3 s at 99 Hz), each with a symbol.
        bool framed = false;
        for (const QJsonValue &e : stacks.value(u"entries"_s).toArray()) {
            const QJsonObject part = e.toObject().value(u"key_parts"_s).toArray().first().toObject();
            QCOMPARE(part.value(u"type"_s).toString(), u"stack"_s);
            for (const QJsonValue &f : part.value(u"frames"_s).toArray()) {
                framed = true;
                QVERIFY(!f.toObject().value(u"symbol"_s).toString().isEmpty());
            }
        }
        QVERIFY(framed);
        QVERIFY(maps.value(u"@reboot"_s).toObject().value(u"empty"_s).toBool());

        const QJsonObject series = sc.value(u"series"_s).toObject().value(u"@s"_s).toObject();
        QVERIFY(series.value(u"delta"_s).toBool());
        const int snapshots = series.value(u"total_snapshots"_s).toInt();
        QVERIFY2(snapshots >= 2 && snapshots <= 3, qPrintable(QString::number(snapshots)));
        qint64 previous = 0;
        for (const QJsonValue &snapshot : series.value(u"snapshots"_s).toArray()) {
            const qint64 ms = snapshot.toObject().value(u"ms"_s).toInteger();
            QVERIFY(ms > previous);
            previous = ms;
            QCOMPARE(snapshot.toObject()
                         .value(u"entries"_s)
                         .toArray()
                         .first()
                         .toObject()
                         .value(u"key_parts"_s)
                         .toArray()
                         .first()
                         .toObject()
                         .value(u"type"_s)
                         .toString(),
                u"string"_s);
        }
        QVERIFY(!sc.value(u"series"_s).toObject().contains(u"@"_s)); // printed only at exit

        // One map, one snapshot a page.
        sc = structured(run(u"get_result"_s,
            QJsonObject { { u"execution_id"_s, id }, { u"map"_s, u"@s"_s }, { u"series_limit"_s, 1 },
                { u"series_offset"_s, 1 } }));
        QCOMPARE(sc.value(u"maps"_s).toObject().keys(), QStringList { u"@s"_s });
        const QJsonObject page = sc.value(u"series"_s).toObject().value(u"@s"_s).toObject();
        QCOMPARE(page.value(u"returned"_s).toInt(), 1);
        QCOMPARE(page.value(u"offset"_s).toInt(), 1);
        QCOMPARE(page.value(u"total_snapshots"_s).toInt(), snapshots);

        // Clear errors for what cannot be answered.
        QJsonObject bad = run(u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"map"_s, u"@nosuch"_s } });
        QVERIFY(bad.value(u"isError"_s).toBool());
        QVERIFY2(text(bad).contains(u"@reboot"_s), qPrintable(text(bad))); // names the maps it has
        bad = run(u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"series_limit"_s, -1 } });
        QVERIFY(bad.value(u"isError"_s).toBool());
        QVERIFY2(text(bad).contains(u"series_limit"_s), qPrintable(text(bad)));
        bad = run(u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"map"_s, u"counts"_s } });
        QVERIFY(text(bad).contains(u"with the @"_s));

        // The run resource carries the same.
        McpResources resources(&engine);
        const std::optional<QJsonObject> resource = resources.read(u"tracedesk://runs/"_s + id, u"session-1"_s);
        QVERIFY(resource);
        const QJsonObject body = QJsonDocument::fromJson(
            resource->value(u"contents"_s).toArray().first().toObject().value(u"text"_s).toString().toUtf8())
                                     .object();
        QCOMPARE(body.value(u"maps"_s).toObject().value(u"@"_s).toObject().value(u"top_stacks"_s).toArray(), top);
        QCOMPARE(body.value(u"series"_s).toObject().value(u"@s"_s).toObject().value(u"total_snapshots"_s).toInt(),
            snapshots);
    }
};

QTEST_GUILESS_MAIN(TestMcpTools)
#include "tst_mcptools.moc"
