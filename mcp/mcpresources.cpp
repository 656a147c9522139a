// SPDX-License-Identifier: GPL-2.0-or-later
// MCP resources: the example library and finished runs.
#include "mcp/mcpresources.h"

#include "engine/engine.h"
#include "engine/examplelibrary.h"
#include "engine/run.h"
#include "engine/runmanager.h"
#include "mcp/mcpcompletion.h"
#include "mcp/mcprunjson.h"

#include <QJsonDocument>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {
const QString kExamplePrefix = u"tracedesk://examples/"_s;
const QString kRunPrefix = u"tracedesk://runs/"_s;
const QString kExampleTemplate = u"tracedesk://examples/{name}"_s;
const QString kRunTemplate = u"tracedesk://runs/{id}"_s;
constexpr int kMaxListedRuns = 1000;
// A run resource carries its whole output up to these bounds; get_result pages beyond them.
constexpr int kRunResourceLines = 20000;
constexpr qint64 kRunResourceBytes = 8 * 1024 * 1024;
constexpr int kRunResourceSnapshots = 1000;

QString exampleDescription(const Example &e)
{
    return u"%1 Requires bpftrace %2 or newer. Category: %3."_s.arg(e.description, e.minVersion, e.category);
}

QString runTitle(const Run *run)
{
    return u"Run %1 (%2)"_s.arg(run->id(), runStateName(run->state()));
}

QString runDescription(const Run *run)
{
    QString who = run->origin() == RunOrigin::Client ? run->client().displayName() : u"the person"_s;
    QString first = run->script().simplified();
    if (first.size() > 100)
        first = first.left(97) + u"..."_s;
    return u"%1 run by %2, %3 output lines, %4 maps: %5"_s.arg(runStateName(run->state()), who)
        .arg(run->totalLines())
        .arg(run->maps().size())
        .arg(first);
}

// The part of a tracedesk:// URI after its prefix, percent-decoded; empty when it names no
// single item (a '/' or nothing left).
QString uriTail(const QString &uri, const QString &prefix)
{
    if (!uri.startsWith(prefix))
        return {};
    const QString tail = QUrl::fromPercentEncoding(uri.mid(prefix.size()).toUtf8());
    if (tail.isEmpty() || tail.contains(u'/') || tail.contains(u'?') || tail.contains(u'#'))
        return {};
    return tail;
}

} // namespace

McpResources::McpResources(Engine *engine)
    : m_engine(engine)
{ }

QJsonArray McpResources::list(const QString &sessionId) const
{
    QJsonArray resources;
    for (const Example &e : ExampleLibrary::all()) {
        resources.append(
            QJsonObject { { u"uri"_s, QString(kExamplePrefix + QString::fromUtf8(QUrl::toPercentEncoding(e.name))) },
                { u"name"_s, e.name }, { u"title"_s, e.title }, { u"description"_s, exampleDescription(e) },
                { u"mimeType"_s, u"text/x-bpftrace"_s }, { u"size"_s, e.script.toUtf8().size() } });
    }
    int listed = 0;
    const RunManager *runs = m_engine->runs();
    for (const Run *run : runs->runs()) {
        if (!isTerminal(run->state()) || runs->clientAccess(run, sessionId) == RunAccess::None)
            continue;
        if (++listed > kMaxListedRuns)
            break;
        resources.append(QJsonObject { { u"uri"_s, QString(kRunPrefix + run->id()) },
            { u"name"_s, QString(u"run-"_s + run->id()) }, { u"title"_s, runTitle(run) },
            { u"description"_s, runDescription(run) }, { u"mimeType"_s, u"application/json"_s } });
    }
    return resources;
}

QJsonArray McpResources::templates() const
{
    return QJsonArray {
        QJsonObject { { u"uriTemplate"_s, kExampleTemplate }, { u"name"_s, u"example"_s },
            { u"title"_s, u"Example bpftrace program"_s },
            { u"description"_s,
                u"One of TraceDesk's example programs by name (syscall-count, file-opens, "
                "block-io-latency, ...): a starting point to adapt, with a header saying what "
                "it shows and the bpftrace version it needs."_s },
            { u"mimeType"_s, u"text/x-bpftrace"_s } },
        QJsonObject { { u"uriTemplate"_s, kRunTemplate }, { u"name"_s, u"run"_s }, { u"title"_s, u"A run's result"_s },
            { u"description"_s,
                u"Everything about one run by execution id, as JSON: state, decision, the "
                "script that ran, output lines, maps and histograms, diagnostics."_s },
            { u"mimeType"_s, u"application/json"_s } },
    };
}

std::optional<QJsonObject> McpResources::read(const QString &uri, const QString &sessionId) const
{
    if (uri.startsWith(kExamplePrefix)) {
        const auto example = ExampleLibrary::find(uriTail(uri, kExamplePrefix));
        if (!example)
            return std::nullopt;
        return QJsonObject { { u"contents"_s,
            QJsonArray { QJsonObject {
                { u"uri"_s, uri }, { u"mimeType"_s, u"text/x-bpftrace"_s }, { u"text"_s, example->script } } } } };
    }
    if (uri.startsWith(kRunPrefix)) {
        const Run *run = m_engine->runs()->run(uriTail(uri, kRunPrefix));
        // Not the session's: "not found", like an id that never existed (see mcpruntools.cpp).
        if (m_engine->runs()->clientAccess(run, sessionId) == RunAccess::None)
            return std::nullopt;
        // The same maps as get_result, with every snapshot of each series up to a bound.
        McpRunJson::MapView view;
        view.seriesLimit = kRunResourceSnapshots;
        QJsonObject body
            = McpRunJson::describeRun(run, m_engine->approvals(), 0, kRunResourceLines, kRunResourceBytes, view);
        body.insert(u"script"_s, run->script());
        if (run->scriptEdited())
            body.insert(u"original_script"_s, run->originalScript());
        const QString text = QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Indented));
        return QJsonObject { { u"contents"_s,
            QJsonArray {
                QJsonObject { { u"uri"_s, uri }, { u"mimeType"_s, u"application/json"_s }, { u"text"_s, text } } } } };
    }
    return std::nullopt;
}

QStringList McpResources::complete(
    const QString &uriTemplate, const QString &argument, const QString &prefix, const QString &sessionId) const
{
    if (uriTemplate == kExampleTemplate && argument == "name"_L1) {
        QStringList names;
        for (const Example &e : ExampleLibrary::all())
            names.append(e.name);
        return McpCompletion::rank(names, prefix);
    }
    if (uriTemplate == kRunTemplate && argument == "id"_L1) {
        QStringList ids; // newest first
        const RunManager *runs = m_engine->runs();
        for (const Run *run : runs->runs()) {
            if (runs->clientAccess(run, sessionId) != RunAccess::None)
                ids.append(run->id());
        }
        return McpCompletion::rank(ids, prefix);
    }
    return {};
}
