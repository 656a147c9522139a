// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcp/mcptargettools.h"

#include "engine/engine.h"
#include "engine/targets/targetregistry.h"
#include "mcp/mcpschema.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;
using namespace McpSchema;

namespace {
constexpr int kMaxFleetTargets = 64;
}

McpTargetTools::McpTargetTools(Engine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{ }

QJsonObject McpTargetTools::targetProperty()
{
    return stringProp(u"Where to run: the name or URI of a target from list_targets; default: this machine ('local'). "
                      "Only targets the person configured are accepted."_s,
        1, 256);
}

QString McpTargetTools::resolveTarget(const Engine *engine, const QJsonObject &args, QString *error)
{
    const QString asked = args.value(u"target"_s).toString().trimmed();
    return engine->targets()->resolve(asked, error);
}

QJsonObject McpTargetTools::targetsProperty()
{
    QJsonObject property = arrayOf(stringProp(u"a target's or group's name from list_targets"_s, 1, 256),
        u"Run on several targets at once (a fleet): target names or group names from list_targets. One approval "
        "covers exactly these targets; get_result then merges their maps, with each host's share. Give either "
        "'target' or 'targets'."_s);
    property.insert(u"minItems"_s, 1);
    property.insert(u"maxItems"_s, kMaxFleetTargets);
    return property;
}

QStringList McpTargetTools::resolveTargets(const Engine *engine, const QJsonObject &args, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return QStringList();
    };
    const QJsonValue list = args.value(u"targets"_s);
    if (list.isUndefined() || list.isNull()) {
        const QString one = resolveTarget(engine, args, error);
        return one.isEmpty() ? QStringList() : QStringList { one };
    }
    if (args.contains(u"target"_s))
        return fail(u"Give either 'target' (one) or 'targets' (several), not both."_s);
    if (!list.isArray() || list.toArray().isEmpty())
        return fail(u"'targets' is a non-empty array of target or group names from list_targets."_s);
    QStringList asked;
    for (const QJsonValue &value : list.toArray()) {
        if (!value.isString() || value.toString().trimmed().isEmpty())
            return fail(u"Every entry of 'targets' is a target or group name (a non-empty string)."_s);
        asked.append(value.toString().trimmed());
    }
    const QStringList names = engine->targets()->resolveList(asked, error);
    if (names.size() > kMaxFleetTargets)
        return fail(u"'targets' names %1 targets; at most %2 run at once."_s.arg(names.size()).arg(kMaxFleetTargets));
    return names;
}

QList<McpTool> McpTargetTools::tools()
{
    const QJsonObject targetSchema { { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject { { u"name"_s, typed(u"string"_s, u"pass it as 'target' to the other tools"_s) },
                { u"kind"_s,
                    QJsonObject { { u"type"_s, u"string"_s },
                        { u"enum"_s, QJsonArray { u"local"_s, u"ssh"_s, u"kubernetes"_s } } } },
                { u"uri"_s, typed(u"string"_s) }, { u"default"_s, typed(u"boolean"_s) },
                { u"health"_s,
                    QJsonObject { { u"type"_s, u"string"_s },
                        { u"enum"_s,
                            QJsonArray {
                                u"unknown"_s, u"checking"_s, u"ready"_s, u"degraded"_s, u"unreachable"_s } } } },
                { u"reachable"_s, typed(u"boolean"_s) }, { u"privileged"_s, typed(u"boolean"_s) },
                { u"bpftrace_version"_s, typed(u"string"_s) }, { u"error"_s, typed(u"string"_s) } } },
        { u"required"_s, QJsonArray { u"name"_s, u"kind"_s, u"uri"_s, u"health"_s } } };
    return { McpTool(u"list_targets"_s, u"List targets"_s,
        u"Lists the machines programs can run on, as the person configured them: this machine ('local', the "
        "default) and any SSH hosts or Kubernetes nodes, each with its kind, URI, health ('ready' when reachable, "
        "with bpftrace and root there) and bpftrace version. Pass a target's 'name' as 'target' to list_probes, "
        "describe_probe, bpf_info, validate_program and exec_program to work on that machine; each target has "
        "its own probes and bpftrace version. Targets cannot be added by a client: ask the person."_s,
        inputSchema(QJsonObject {}),
        outputSchema(QJsonObject { { u"targets"_s, arrayOf(targetSchema) }, { u"groups"_s, typed(u"object"_s) } },
            { u"targets"_s }),
        annotations(true, false, true, false), std::bind_front(&McpTargetTools::listTargets, this)) };
}

void McpTargetTools::listTargets(const QJsonObject &, const McpCallContext &, Reply reply)
{
    TargetRegistry *registry = m_engine->targets();
    QJsonArray targets;
    for (const Target &target : registry->targets()) {
        const TargetHealth health = registry->health(target.name);
        QJsonObject o { { u"name"_s, target.name }, { u"kind"_s, targetKindName(target.kind) },
            { u"uri"_s, target.uri() }, { u"default"_s, target.isLocal() },
            { u"health"_s, TargetHealth::stateName(health.state) }, { u"reachable"_s, health.reachable },
            { u"privileged"_s, health.privileged } };
        if (!health.bpftraceVersion.isEmpty())
            o.insert(u"bpftrace_version"_s, health.bpftraceVersion);
        if (!health.error.isEmpty())
            o.insert(u"error"_s, health.error);
        targets.append(o);
    }
    QJsonObject groups;
    const QMap<QString, QStringList> configured = registry->groups();
    for (auto it = configured.cbegin(); it != configured.cend(); ++it)
        groups.insert(it.key(), QJsonArray::fromStringList(it.value()));
    reply(McpTool::result(QJsonObject { { u"targets"_s, targets }, { u"groups"_s, groups } }));
}
