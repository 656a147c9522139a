// SPDX-License-Identifier: GPL-2.0-or-later
// Builders for the JSON Schemas the tools advertise, and the validator that reads them back.
#include "mcp/mcpschema.h"

#include "engine/scriptcheck.h"

#include <QJsonArray>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {
QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

QString renderValue(const QJsonValue &value)
{
    if (value.isString())
        return u"\""_s + value.toString().left(60) + u"\""_s;
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    return jsonTypeName(value);
}
} // namespace

QJsonObject McpSchema::stringProp(const QString &description, int minLength, int maxLength)
{
    QJsonObject p { { u"type"_s, u"string"_s }, { u"description"_s, description } };
    if (minLength >= 0)
        p.insert(u"minLength"_s, minLength);
    if (maxLength >= 0)
        p.insert(u"maxLength"_s, maxLength);
    return p;
}

QJsonObject McpSchema::intProp(const QString &description, qint64 minimum, qint64 maximum, std::optional<qint64> def)
{
    QJsonObject p { { u"type"_s, u"integer"_s }, { u"description"_s, description }, { u"minimum"_s, minimum },
        { u"maximum"_s, maximum } };
    if (def)
        p.insert(u"default"_s, *def);
    return p;
}

QJsonObject McpSchema::inputSchema(const QJsonObject &properties, const QStringList &required)
{
    QJsonObject schema { { u"type"_s, u"object"_s }, { u"properties"_s, properties },
        { u"additionalProperties"_s, false } };
    if (!required.isEmpty())
        schema.insert(u"required"_s, QJsonArray::fromStringList(required));
    return schema;
}

QJsonObject McpSchema::outputSchema(const QJsonObject &properties, const QStringList &required)
{
    return QJsonObject { { u"type"_s, u"object"_s }, { u"properties"_s, properties },
        { u"required"_s, QJsonArray::fromStringList(required) } };
}

QJsonObject McpSchema::typed(const QString &type, const QString &description)
{
    QJsonObject p { { u"type"_s, type } };
    if (!description.isEmpty())
        p.insert(u"description"_s, description);
    return p;
}

QJsonObject McpSchema::arrayOf(const QJsonObject &items, const QString &description)
{
    QJsonObject p { { u"type"_s, u"array"_s }, { u"items"_s, items } };
    if (!description.isEmpty())
        p.insert(u"description"_s, description);
    return p;
}

QJsonObject McpSchema::annotations(bool readOnly, bool destructive, bool idempotent, bool openWorld)
{
    return QJsonObject { { u"readOnlyHint"_s, readOnly }, { u"destructiveHint"_s, destructive },
        { u"idempotentHint"_s, idempotent }, { u"openWorldHint"_s, openWorld } };
}

QJsonObject McpSchema::program()
{
    return stringProp(u"The bpftrace program text"_s, 1, int(maxScriptBytes));
}

QString McpSchema::checkArguments(const QJsonObject &schema, const QJsonObject &arguments)
{
    const QJsonObject properties = schema.value(u"properties"_s).toObject();
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        if (properties.contains(it.key()))
            continue;
        if (properties.isEmpty())
            return u"unknown argument '%1': this tool takes no arguments"_s.arg(it.key());
        return u"unknown argument '%1'; this tool takes: %2"_s.arg(it.key(), properties.keys().join(u", "_s));
    }
    const QJsonArray required = schema.value(u"required"_s).toArray();
    for (const QJsonValue &name : required) {
        if (!arguments.contains(name.toString()))
            return u"missing required argument '%1' (%2)"_s.arg(
                name.toString(), properties.value(name.toString()).toObject().value(u"description"_s).toString());
    }
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        const QJsonObject p = properties.value(it.key()).toObject();
        const QString type = p.value(u"type"_s).toString();
        const QJsonValue v = it.value();
        const QString name = it.key();
        if (type == "string"_L1) {
            if (!v.isString())
                return u"'%1' must be a string, got %2"_s.arg(name, jsonTypeName(v));
            const qsizetype length = v.toString().size();
            if (p.contains(u"minLength"_s) && length < p.value(u"minLength"_s).toInteger()) {
                if (length == 0)
                    return u"'%1' must not be empty"_s.arg(name);
                return u"'%1' is too short (at least %2 characters)"_s.arg(name).arg(
                    p.value(u"minLength"_s).toInteger());
            }
            if (p.contains(u"maxLength"_s) && length > p.value(u"maxLength"_s).toInteger())
                return u"'%1' is too long (%2 characters; at most %3)"_s.arg(name).arg(length).arg(
                    p.value(u"maxLength"_s).toInteger());
        } else if (type == "integer"_L1 || type == "number"_L1) {
            if (!v.isDouble())
                return u"'%1' must be %2, got %3"_s.arg(name, type == "integer"_L1 ? u"an integer"_s : u"a number"_s,
                    jsonTypeName(v) + u" ("_s + renderValue(v) + u")"_s);
            const double d = v.toDouble();
            if (type == "integer"_L1 && (d != std::floor(d) || std::abs(d) > 9007199254740991.0))
                return u"'%1' must be a whole number, got %2"_s.arg(name, renderValue(v));
            const bool hasMin = p.contains(u"minimum"_s);
            const bool hasMax = p.contains(u"maximum"_s);
            const double mn = p.value(u"minimum"_s).toDouble();
            const double mx = p.value(u"maximum"_s).toDouble();
            if ((hasMin && d < mn) || (hasMax && d > mx)) {
                if (hasMin && hasMax)
                    return u"'%1' must be between %2 and %3, got %4"_s.arg(
                        name, renderValue(mn), renderValue(mx), renderValue(v));
                if (hasMin)
                    return u"'%1' must be at least %2, got %3"_s.arg(name, renderValue(mn), renderValue(v));
                return u"'%1' must be at most %2, got %3"_s.arg(name, renderValue(mx), renderValue(v));
            }
        } else if (type == "boolean"_L1) {
            if (!v.isBool())
                return u"'%1' must be true or false, got %2"_s.arg(name, jsonTypeName(v));
        }
        if (p.contains(u"enum"_s)) {
            const QJsonArray values = p.value(u"enum"_s).toArray();
            if (!values.contains(v)) {
                QStringList names;
                for (const QJsonValue &e : values)
                    names.append(e.toString());
                return u"unknown %1 %2; use one of: %3"_s.arg(name, renderValue(v), names.join(u", "_s));
            }
        }
    }
    return {};
}
