// SPDX-License-Identifier: GPL-2.0-or-later
// Builders for the JSON Schemas the tools advertise, and the validator that reads them back.
#include "mcp/mcpschema.h"

#include "engine/scriptcheck.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <array>
#include <cmath>
#include <functional>

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

// Where a schema holds further schemas: name -> schema maps, single schemas, lists of schemas.
constexpr std::array SchemaMaps { "properties"_L1, "$defs"_L1 };
constexpr std::array SchemaValues { "items"_L1, "additionalProperties"_L1, "not"_L1 };
constexpr std::array SchemaLists { "allOf"_L1, "anyOf"_L1, "oneOf"_L1, "prefixItems"_L1 };
const auto DefsPrefix = "#/$defs/"_L1;

QByteArray canonical(const QJsonObject &schema)
{
    // QJsonObject keeps its keys sorted: equal schemas serialize to equal bytes.
    return QJsonDocument(schema).toJson(QJsonDocument::Compact);
}

/// Whether SCHEMA holds other schemas (an object with properties, an array of items, ...):
/// only those are worth a definition; a repeated {"type": "integer"} is as long as its $ref.
bool holdsSubschemas(const QJsonObject &schema)
{
    for (const QLatin1StringView key : SchemaMaps) {
        if (!schema.value(key).toObject().isEmpty())
            return true;
    }
    for (const QLatin1StringView key : SchemaValues) {
        if (schema.value(key).isObject())
            return true;
    }
    for (const QLatin1StringView key : SchemaLists) {
        if (!schema.value(key).toArray().isEmpty())
            return true;
    }
    return false;
}

/// Calls visit(subschema, name) for every schema below SCHEMA, outer ones first; NAME is the
/// property it sits under, or what it is of its parent (NAME_item, NAME_value, ...).
template<typename Visit> void forEachSubschema(const QJsonObject &schema, const QString &name, Visit &visit)
{
    for (const QLatin1StringView key : SchemaMaps) {
        const QJsonObject map = schema.value(key).toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!it.value().isObject())
                continue;
            const QJsonObject sub = it.value().toObject();
            visit(sub, it.key());
            forEachSubschema(sub, it.key(), visit);
        }
    }
    for (const QLatin1StringView key : SchemaValues) {
        const QJsonValue value = schema.value(key);
        if (!value.isObject())
            continue;
        const QString hint = name
            + (key == "items"_L1                       ? u"_item"_s
                    : key == "additionalProperties"_L1 ? u"_value"_s
                                                       : u"_not"_s);
        visit(value.toObject(), hint);
        forEachSubschema(value.toObject(), hint, visit);
    }
    for (const QLatin1StringView key : SchemaLists) {
        const QJsonArray list = schema.value(key).toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (!list.at(i).isObject())
                continue;
            // A part of allOf describes the same value as its parent, so it takes its name.
            const QString hint = key == "allOf"_L1 ? name : name + u'_' + QString::number(i);
            visit(list.at(i).toObject(), hint);
            forEachSubschema(list.at(i).toObject(), hint, visit);
        }
    }
}

/// SCHEMA with each subschema below it rewritten by MAP (which may return it unchanged, or
/// recurse itself).
template<typename Map> QJsonObject mapSubschemas(const QJsonObject &schema, Map &map)
{
    QJsonObject out = schema;
    for (const QLatin1StringView key : SchemaMaps) {
        if (!schema.value(key).isObject())
            continue;
        QJsonObject entries = schema.value(key).toObject();
        for (auto it = entries.begin(); it != entries.end(); ++it) {
            if (it.value().isObject())
                it.value() = map(it.value().toObject());
        }
        out.insert(key, entries);
    }
    for (const QLatin1StringView key : SchemaValues) {
        if (schema.value(key).isObject())
            out.insert(key, map(schema.value(key).toObject()));
    }
    for (const QLatin1StringView key : SchemaLists) {
        if (!schema.value(key).isArray())
            continue;
        QJsonArray list = schema.value(key).toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (list.at(i).isObject())
                list.replace(i, map(list.at(i).toObject()));
        }
        out.insert(key, list);
    }
    return out;
}

/// SCHEMA with every subschema below it that serializes to TARGET replaced by REF.
QJsonObject replaceSubschema(const QJsonObject &schema, const QByteArray &target, const QJsonObject &ref)
{
    std::function<QJsonObject(const QJsonObject &)> map
        = [&](const QJsonObject &sub) { return canonical(sub) == target ? ref : mapSubschemas(sub, map); };
    return mapSubschemas(schema, map);
}

QString definitionName(const QString &hint, const QJsonObject &defs)
{
    // Letters, digits, '_' and '-' only: nothing a JSON pointer must escape.
    QString base;
    for (const QChar c : hint) {
        if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-')
            base += c;
    }
    if (base.isEmpty())
        base = u"shared"_s;
    QString name = base;
    for (int n = 2; defs.contains(name); ++n)
        name = base + u'_' + QString::number(n);
    return name;
}

/// SCHEMA with its references to DEFS resolved; STACK holds the definitions being resolved, to
/// stop at a cycle (*ok false).
QJsonObject resolveReferences(const QJsonObject &schema, const QJsonObject &defs, QStringList *stack, bool *ok)
{
    if (!*ok)
        return {};
    if (schema.contains(u"$ref"_s)) {
        const QString ref = schema.value(u"$ref"_s).toString();
        const QString name = ref.mid(DefsPrefix.size());
        if (!ref.startsWith(DefsPrefix) || !defs.value(name).isObject() || stack->contains(name)) {
            *ok = false;
            return {};
        }
        stack->append(name);
        QJsonObject resolved = resolveReferences(defs.value(name).toObject(), defs, stack, ok);
        stack->removeLast();
        // Keywords beside the reference apply too (2020-12); shareDefinitions() writes none.
        for (auto it = schema.begin(); it != schema.end(); ++it) {
            if (it.key() != "$ref"_L1)
                resolved.insert(it.key(), it.value());
        }
        return resolved;
    }
    std::function<QJsonObject(const QJsonObject &)> map
        = [&](const QJsonObject &sub) { return resolveReferences(sub, defs, stack, ok); };
    return mapSubschemas(schema, map);
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

QJsonObject McpSchema::shareDefinitions(const QJsonObject &schema)
{
    QJsonObject body = schema;
    QJsonObject defs = body.take(u"$defs"_s).toObject();
    for (;;) {
        // Every schema that holds others, counted wherever it occurs (inside definitions too).
        QHash<QByteArray, int> counts;
        QHash<QByteArray, std::pair<QJsonObject, QString>> first;
        auto count = [&](const QJsonObject &sub, const QString &name) {
            if (!holdsSubschemas(sub))
                return;
            const QByteArray text = canonical(sub);
            if (counts[text]++ == 0)
                first.insert(text, { sub, name });
        };
        QJsonObject whole = body;
        if (!defs.isEmpty())
            whole.insert(u"$defs"_s, defs);
        forEachSubschema(whole, QString(), count);
        // The largest repeated one first: what repeats inside it is then counted once.
        QByteArray largest;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            if (it.value() < 2)
                continue;
            if (it.key().size() > largest.size() || (it.key().size() == largest.size() && it.key() < largest))
                largest = it.key();
        }
        if (largest.isEmpty())
            break;
        const auto &[definition, hint] = first.value(largest);
        const QString name = definitionName(hint, defs);
        const QJsonObject ref { { u"$ref"_s, QString(DefsPrefix + name) } };
        body = replaceSubschema(body, largest, ref);
        for (auto it = defs.begin(); it != defs.end(); ++it)
            it.value() = replaceSubschema(it.value().toObject(), largest, ref);
        defs.insert(name, definition);
    }
    if (!defs.isEmpty())
        body.insert(u"$defs"_s, defs);
    return body;
}

QJsonObject McpSchema::resolveDefinitions(const QJsonObject &schema)
{
    QJsonObject body = schema;
    const QJsonObject defs = body.take(u"$defs"_s).toObject();
    QStringList stack;
    bool ok = true;
    QJsonObject resolved = resolveReferences(body, defs, &stack, &ok);
    return ok ? resolved : QJsonObject();
}

QJsonObject McpSchema::withContentId(const QJsonObject &schema, const QString &name)
{
    QJsonObject out = schema;
    out.remove(u"$id"_s);
    const QByteArray hash = QCryptographicHash::hash(canonical(out), QCryptographicHash::Sha256).toHex().left(16);
    out.insert(u"$id"_s, u"urn:tracedesk:schema:%1:%2"_s.arg(name, QString::fromLatin1(hash)));
    return out;
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
