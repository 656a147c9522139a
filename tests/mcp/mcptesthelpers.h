// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the MCP tool, resource and prompt tests: a test Engine, synchronous tool calls and
// a checker for the subset of JSON Schema our output schemas use.
#pragma once

#include "engine/engine.h"
#include "mcp/mcptools.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace McpTest {
using namespace Qt::StringLiterals;

inline QString fakeBpftrace()
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/tests/mcp/fakes/fake-bpftrace.sh"_s;
}

inline QString realBpftrace()
{
    return QStandardPaths::findExecutable(u"bpftrace"_s);
}

inline EngineConfig testConfig(const QTemporaryDir &dir, const QString &bpftrace)
{
    EngineConfig config;
    config.bpftracePath = bpftrace;
    config.privilege = PrivilegeMode::Direct;
    config.stateDirectory = dir.path() + u"/state"_s;
    config.cacheDirectory = dir.path() + u"/cache"_s;
    config.loadHistory = false;
    config.limits.batchIntervalMs = 20;
    config.limits.sigintGraceMs = 3000;
    config.approvalTimeoutSeconds = 300;
    return config;
}

/// One tool call's outcome; `replies` counts how often the reply callback ran (must be 1).
struct CallState
{
    std::optional<QJsonObject> result;
    int replies = 0;
};

inline McpCallContext context(McpCancellation *cancellation)
{
    McpCallContext ctx;
    ctx.sessionId = u"session-1"_s;
    ctx.client = ClientInfo { u"test-client"_s, u"1.0"_s, u"socket"_s, u"session-1"_s };
    ctx.protocolVersion = u"2025-11-25"_s;
    ctx.cancellation = cancellation;
    ctx.progress = [](double, double, const QString &) { };
    ctx.log = [](const QString &, const QJsonValue &) { };
    return ctx;
}

/// Starts a call and returns its state; the caller waits on state->result.
inline std::shared_ptr<CallState> start(
    McpTools *tools, const QString &name, const QJsonObject &arguments, McpCancellation *cancellation)
{
    auto state = std::make_shared<CallState>();
    tools->call(name, arguments, context(cancellation), [state](const QJsonObject &result) {
        ++state->replies;
        state->result = result;
    });
    return state;
}

inline bool waitFor(const std::shared_ptr<CallState> &state, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!state->result && !deadline.hasExpired())
        QTest::qWait(5);
    return state->result.has_value();
}

inline QJsonObject structured(const QJsonObject &result)
{
    return result.value(u"structuredContent"_s).toObject();
}

inline QString text(const QJsonObject &result)
{
    return result.value(u"content"_s).toArray().first().toObject().value(u"text"_s).toString();
}

/// Empty when `value` fits `schema` (type, properties, required, items, enum,
/// additionalProperties as a schema, "$ref" to the root's "$defs", "allOf" of object schemas);
/// else the first mismatch with
/// its JSON path. Every member of an object must be declared (in properties or by an
/// additionalProperties schema): a structuredContent field its schema does not describe is a
/// mismatch too, so the advertised schemas stay complete.
inline QString checkSchema(
    const QJsonValue &value, const QJsonObject &schema, const QString &path = u"$"_s, QJsonObject root = {})
{
    if (root.isEmpty())
        root = schema;
    auto fail = [&path](const QString &what) { return path + u": "_s + what; };
    if (schema.contains(u"$ref"_s)) {
        const QString ref = schema.value(u"$ref"_s).toString();
        const QJsonValue target = root.value(u"$defs"_s).toObject().value(ref.mid(8));
        if (!ref.startsWith(u"#/$defs/"_s) || !target.isObject())
            return fail(u"unresolved $ref "_s + ref);
        return checkSchema(value, target.toObject(), path, root);
    }
    if (schema.contains(u"allOf"_s)) {
        // Each part must hold, and a member is declared when any part declares it: checked as
        // one schema with the parts' properties and required members together.
        QJsonObject whole = schema;
        whole.remove(u"allOf"_s);
        QJsonObject properties = whole.value(u"properties"_s).toObject();
        QJsonArray required = whole.value(u"required"_s).toArray();
        for (const QJsonValue &part : schema.value(u"allOf"_s).toArray()) {
            QJsonObject p = part.toObject();
            if (p.contains(u"$ref"_s)) {
                const QJsonValue target = root.value(u"$defs"_s).toObject().value(p.value(u"$ref"_s).toString().mid(8));
                if (!target.isObject())
                    return fail(u"unresolved $ref in allOf"_s);
                p = target.toObject();
            }
            if (p.contains(u"allOf"_s) || p.contains(u"$ref"_s))
                return fail(u"nested allOf is not supported by this checker"_s);
            const QJsonObject partProperties = p.value(u"properties"_s).toObject();
            for (auto it = partProperties.begin(); it != partProperties.end(); ++it) {
                if (properties.contains(it.key()))
                    return fail(u"'"_s + it.key() + u"' is declared by two parts of allOf"_s);
                properties.insert(it.key(), it.value());
            }
            for (const QJsonValue &r : p.value(u"required"_s).toArray())
                required.append(r);
            for (auto it = p.begin(); it != p.end(); ++it) {
                if (it.key() != "properties"_L1 && it.key() != "required"_L1 && it.key() != "description"_L1
                    && !whole.contains(it.key()))
                    whole.insert(it.key(), it.value());
            }
        }
        whole.insert(u"properties"_s, properties);
        whole.insert(u"required"_s, required);
        return checkSchema(value, whole, path, root);
    }
    const QString type = schema.value(u"type"_s).toString();
    if (type == "object"_L1) {
        if (!value.isObject())
            return fail(u"not an object"_s);
        const QJsonObject object = value.toObject();
        for (const QJsonValue &r : schema.value(u"required"_s).toArray()) {
            if (!object.contains(r.toString()))
                return fail(u"missing required '"_s + r.toString() + u"'"_s);
        }
        const QJsonObject properties = schema.value(u"properties"_s).toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (properties.contains(it.key())) {
                const QString sub
                    = checkSchema(it.value(), properties.value(it.key()).toObject(), path + u"."_s + it.key(), root);
                if (!sub.isEmpty())
                    return sub;
            } else if (schema.value(u"additionalProperties"_s).isObject()) {
                const QString sub = checkSchema(
                    it.value(), schema.value(u"additionalProperties"_s).toObject(), path + u"."_s + it.key(), root);
                if (!sub.isEmpty())
                    return sub;
            } else {
                return fail(u"'"_s + it.key() + u"' is not described by the schema"_s);
            }
        }
    } else if (type == "array"_L1) {
        if (!value.isArray())
            return fail(u"not an array"_s);
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString sub = checkSchema(
                array.at(i), schema.value(u"items"_s).toObject(), path + u"["_s + QString::number(i) + u"]"_s, root);
            if (!sub.isEmpty())
                return sub;
        }
    } else if (type == "string"_L1) {
        if (!value.isString())
            return fail(u"not a string"_s);
    } else if (type == "integer"_L1) {
        if (!value.isDouble() || value.toDouble() != double(value.toInteger()))
            return fail(u"not an integer"_s);
    } else if (type == "number"_L1) {
        if (!value.isDouble())
            return fail(u"not a number"_s);
    } else if (type == "boolean"_L1) {
        if (!value.isBool())
            return fail(u"not a boolean"_s);
    }
    if (schema.contains(u"enum"_s) && !schema.value(u"enum"_s).toArray().contains(value))
        return fail(u"not one of the enum values"_s);
    return {};
}
} // namespace McpTest
