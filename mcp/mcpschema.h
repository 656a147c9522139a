// SPDX-License-Identifier: GPL-2.0-or-later
// Builders for the JSON Schemas the tools advertise, and the validator that reads them back.
#pragma once

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace McpSchema {
/// A string property; a negative bound is left out.
QJsonObject stringProp(const QString &description, int minLength = -1, int maxLength = -1);
/// An integer property with its bounds and, optionally, its default.
QJsonObject intProp(const QString &description, qint64 minimum, qint64 maximum, std::optional<qint64> def = {});
/// The 'program' property of the tools that take a bpftrace program: at most maxScriptBytes
/// characters (scriptcheck.h), the engine's one limit, which then refuses it in bytes if needed.
QJsonObject program();
/// {"type": type} with a description when one is given.
QJsonObject typed(const QString &type, const QString &description = {});
QJsonObject arrayOf(const QJsonObject &items, const QString &description = {});
/// A tool's inputSchema: an object with these properties and no others.
QJsonObject inputSchema(const QJsonObject &properties, const QStringList &required = {});
/// A tool's outputSchema: an object with these properties, `required` always present.
QJsonObject outputSchema(const QJsonObject &properties, const QStringList &required);
QJsonObject annotations(bool readOnly, bool destructive, bool idempotent, bool openWorld);

/// SCHEMA with every object or array subschema that occurs more than once written once, in
/// "$defs", and referenced with {"$ref": "#/$defs/NAME"} where it was (the largest first, so
/// what repeats inside a shared definition is shared too). The same constraints and
/// descriptions, stated once: a client that compiles the schema (the TypeScript SDK compiles
/// every outputSchema with ajv) compiles and parses each shared part once, not at every place.
/// NAME is the property the part was first found under. The root is never replaced.
QJsonObject shareDefinitions(const QJsonObject &schema);
/// SCHEMA with every "#/$defs/NAME" reference replaced by the definition it names, and "$defs"
/// left out: what shareDefinitions() was given. Empty when a reference names nothing or refers
/// to itself through others (a cycle).
QJsonObject resolveDefinitions(const QJsonObject &schema);
/// SCHEMA with an "$id" made of NAME and a hash of its content. Clients key compiled schemas by
/// "$id" (the TypeScript SDK compiles one it has seen before only once per client), so the
/// id changes with any change of the content and never names two different schemas.
QJsonObject withContentId(const QJsonObject &schema, const QString &name);

/// Checks arguments against the subset of JSON Schema the input schemas above use (unknown and
/// missing properties, types, string lengths, numeric bounds, enums). Returns what to fix, or
/// an empty string when they fit. Given the advertised schema, so the two cannot drift apart.
QString checkArguments(const QJsonObject &schema, const QJsonObject &arguments);
} // namespace McpSchema
