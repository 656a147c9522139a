// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tools: the names are the contract (issue 4).
#pragma once

#include "mcpcallcontext.h"

#include <QJsonArray>
#include <QObject>

#include <memory>

class Engine;
class Run;
class ApprovalQueue;

class McpTools : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const QJsonObject &callToolResult)>;

    explicit McpTools(Engine *engine, QObject *parent = nullptr);

    /// Tool definitions for tools/list: name, title, description, inputSchema, outputSchema,
    /// annotations. In a stable order.
    QJsonArray definitions() const;
    bool hasTool(const QString &name) const;

    /// Runs a tool. Bad arguments answer a CallToolResult with isError and a message that says
    /// what to fix (not a protocol error). `reply` is called exactly once, possibly later
    /// (get_result long-polls), on the GUI thread. The caller checks hasTool() first.
    void call(const QString &name, const QJsonObject &arguments, const McpCallContext &context, Reply reply);

    /// How long list_probes, bpf_info and list_helpers wait for the catalog or the capabilities
    /// to finish loading before answering that they are still loading (default 10 s).
    void setLoadWaitMs(int ms) { m_loadWaitMs = ms; }

    /// The get_result view of a run: state, a page of output from `offset` (at most `limit`
    /// lines and about `maxBytes` of text), totals, maps as structured data, diagnostics and the
    /// decision. Also the body of the tracedesk://runs/{id} resource.
    static QJsonObject describeRun(
        const Run *run, const ApprovalQueue *approvals, qint64 offset, int limit, qint64 maxBytes = 512 * 1024);
    /// Turns Run::maps() into structured data: map entries sorted by value, histogram buckets
    /// with min/max/count and bpftrace's own labels ("[4, 8)", "[1K, 2K)").
    static QJsonObject formatMaps(const QJsonObject &maps);
    /// bpftrace's label for a histogram bucket, from the bounds of its `-f json` output
    /// (max inclusive; a missing bound is open). `powerOfTwo` selects hist()'s K/M/G suffixes.
    static QString bucketLabel(const QJsonObject &bucket, bool powerOfTwo);
    /// One plain sentence telling a client what the run's state means and what to do next.
    static QString stateMessage(const Run *run);

private:
    struct Tool;
    struct Cache;
    /// The tool table, rebuilt only when the limits it advertises change (tools/list and every
    /// call read it, so it must be cheap).
    const QList<Tool> &tools() const;
    QJsonObject inputSchemaFor(const QString &name) const;

    void listProbes(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void describeProbe(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void bpfInfo(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void listHelpers(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void validateProgram(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void execProgram(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void getResult(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void stopExecution(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void listExecutions(const QJsonObject &args, const McpCallContext &context, Reply reply);

    /// Calls `ready` once the probe catalog (or the capabilities) settled, or after
    /// m_loadWaitMs, or when the request is cancelled; `ready` then checks the status itself.
    void whenCatalogSettled(const McpCallContext &context, std::function<void()> ready);
    void whenCapabilitiesSettled(const McpCallContext &context, std::function<void()> ready);

    Engine *m_engine;
    int m_loadWaitMs = 10000;
    mutable std::shared_ptr<Cache> m_cache;
};
