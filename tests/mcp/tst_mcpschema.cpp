// SPDX-License-Identifier: GPL-2.0-or-later
// McpSchema's shared definitions: repeated parts of a schema written once in $defs, nothing lost
// (resolving the references gives back the schema as written), and content ids.
#include "mcp/mcprunjson.h"
#include "mcp/mcpschema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QJsonObject object(const QJsonObject &properties, const QStringList &required = {})
{
    QJsonObject o { { u"type"_s, u"object"_s }, { u"properties"_s, properties } };
    if (!required.isEmpty())
        o.insert(u"required"_s, QJsonArray::fromStringList(required));
    return o;
}

QJsonObject typed(const QString &type, const QString &description = {})
{
    return McpSchema::typed(type, description);
}

QJsonObject frames()
{
    return McpSchema::arrayOf(
        object({ { u"symbol"_s, typed(u"string"_s, u"the function"_s) }, { u"offset"_s, typed(u"integer"_s) } },
            { u"symbol"_s }),
        u"innermost first"_s);
}

/// How often each schema that holds others occurs below the root (definitions included).
void countComposites(const QJsonValue &value, QHash<QByteArray, int> *counts, bool root = true)
{
    if (value.isArray()) {
        for (const QJsonValue &v : value.toArray())
            countComposites(v, counts, false);
        return;
    }
    if (!value.isObject())
        return;
    const QJsonObject o = value.toObject();
    const bool composite = o.value(u"properties"_s).isObject() || o.value(u"items"_s).isObject()
        || o.value(u"additionalProperties"_s).isObject();
    if (!root && composite && !o.contains(u"$ref"_s))
        ++(*counts)[QJsonDocument(o).toJson(QJsonDocument::Compact)];
    for (auto it = o.begin(); it != o.end(); ++it) {
        // Inside "properties" and "$defs" the values are schemas; the maps themselves are not.
        if (it.key() == "properties"_L1 || it.key() == "$defs"_L1) {
            for (const QJsonValue &v : it.value().toObject())
                countComposites(v, counts, false);
        } else {
            countComposites(it.value(), counts, false);
        }
    }
}

int repeatedComposites(const QJsonObject &schema)
{
    QHash<QByteArray, int> counts;
    countComposites(schema, &counts);
    int repeated = 0;
    for (const int n : std::as_const(counts))
        repeated += n > 1 ? 1 : 0;
    return repeated;
}

qsizetype sizeOf(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact).size();
}

/// get_result's maps and series, as McpRunJson writes them: the largest repeated schema we have.
QJsonObject mapsAndSeries()
{
    return McpSchema::outputSchema(
        QJsonObject {
            { u"maps"_s,
                QJsonObject { { u"type"_s, u"object"_s }, { u"additionalProperties"_s, McpRunJson::mapSchema() } } },
            { u"series"_s,
                QJsonObject { { u"type"_s, u"object"_s }, { u"additionalProperties"_s, McpRunJson::seriesSchema() } } },
        },
        { u"maps"_s, u"series"_s });
}
} // namespace

class TestMcpSchema : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void repeatedPartIsWrittenOnce()
    {
        const QJsonObject schema = McpSchema::outputSchema(
            { { u"kernel"_s, frames() }, { u"user"_s, frames() }, { u"count"_s, typed(u"integer"_s) } },
            { u"kernel"_s });
        const QJsonObject shared = McpSchema::shareDefinitions(schema);
        const QJsonObject defs = shared.value(u"$defs"_s).toObject();
        QCOMPARE(defs.keys(), QStringList { u"kernel"_s }); // named after where it was first found
        QCOMPARE(defs.value(u"kernel"_s).toObject(), frames());
        const QJsonObject properties = shared.value(u"properties"_s).toObject();
        const QJsonObject ref { { u"$ref"_s, u"#/$defs/kernel"_s } };
        QCOMPARE(properties.value(u"kernel"_s).toObject(), ref);
        QCOMPARE(properties.value(u"user"_s).toObject(), ref);
        // Leaves stay where they are, and so do the root's own keywords.
        QCOMPARE(properties.value(u"count"_s).toObject(), typed(u"integer"_s));
        QCOMPARE(shared.value(u"required"_s).toArray(), QJsonArray { u"kernel"_s });
        QCOMPARE(shared.value(u"type"_s).toString(), u"object"_s);
        QCOMPARE(McpSchema::resolveDefinitions(shared), schema);
    }

    void nothingRepeatedIsUnchanged()
    {
        // A repeated leaf is as long as its reference: not worth a definition.
        const QJsonObject schema = McpSchema::outputSchema(
            { { u"a"_s, typed(u"integer"_s) }, { u"b"_s, typed(u"integer"_s) }, { u"c"_s, frames() } }, { u"a"_s });
        QCOMPARE(McpSchema::shareDefinitions(schema), schema);
    }

    void differentDescriptionsAreDifferentSchemas()
    {
        // Sharing must not lose a word: arrays that differ only in their description stay
        // apart, each with its own; the frame they both hold is shared.
        QJsonObject other = frames();
        other.insert(u"description"_s, u"outermost first"_s);
        const QJsonObject schema
            = McpSchema::outputSchema({ { u"kernel"_s, frames() }, { u"user"_s, other } }, { u"kernel"_s });
        const QJsonObject shared = McpSchema::shareDefinitions(schema);
        const QJsonObject properties = shared.value(u"properties"_s).toObject();
        QCOMPARE(properties.value(u"kernel"_s).toObject().value(u"description"_s).toString(), u"innermost first"_s);
        QCOMPARE(properties.value(u"user"_s).toObject().value(u"description"_s).toString(), u"outermost first"_s);
        const QJsonObject ref { { u"$ref"_s, u"#/$defs/kernel_item"_s } };
        QCOMPARE(properties.value(u"kernel"_s).toObject().value(u"items"_s).toObject(), ref);
        QCOMPARE(properties.value(u"user"_s).toObject().value(u"items"_s).toObject(), ref);
        QCOMPARE(McpSchema::resolveDefinitions(shared), schema);
    }

    void nestedRepeatsAreSharedToo()
    {
        // frames repeats inside two different shapes that each repeat: everything is written
        // once, the larger shapes referring to the shared frames.
        const QJsonObject stack = object({ { u"frames"_s, frames() }, { u"space"_s, typed(u"string"_s) } });
        const QJsonObject entry = object({ { u"key_frames"_s, frames() }, { u"value"_s, typed(u"number"_s) } });
        const QJsonObject schema
            = McpSchema::outputSchema({ { u"a"_s, stack }, { u"b"_s, stack }, { u"c"_s, McpSchema::arrayOf(entry) },
                                          { u"d"_s, McpSchema::arrayOf(entry) } },
                {});
        const QJsonObject shared = McpSchema::shareDefinitions(schema);
        QCOMPARE(repeatedComposites(schema) > 0, true);
        QCOMPARE(repeatedComposites(shared), 0);
        const QJsonObject defs = shared.value(u"$defs"_s).toObject();
        QCOMPARE(defs.size(), 3); // the stack, the entry array, the frames
        QVERIFY(defs.contains(u"frames"_s));
        QCOMPARE(defs.value(u"frames"_s).toObject(), frames());
        QCOMPARE(McpSchema::resolveDefinitions(shared), schema);
    }

    void namesDoNotCollide()
    {
        // Two different shapes, each repeated under the property name "frames".
        QJsonObject tagged = frames();
        tagged.insert(u"description"_s, u"outermost first"_s);
        const QJsonObject schema = McpSchema::outputSchema(
            { { u"x"_s, object({ { u"frames"_s, frames() }, { u"n"_s, typed(u"integer"_s) } }) },
                { u"y"_s, object({ { u"frames"_s, frames() } }) },
                { u"z"_s, object({ { u"frames"_s, tagged }, { u"m"_s, typed(u"integer"_s) } }) },
                { u"w"_s, object({ { u"frames"_s, tagged } }) } },
            {});
        const QJsonObject shared = McpSchema::shareDefinitions(schema);
        QCOMPARE(repeatedComposites(shared), 0);
        const QJsonObject defs = shared.value(u"$defs"_s).toObject();
        QVERIFY(defs.contains(u"frames"_s));
        QVERIFY(defs.contains(u"frames_2"_s));
        QVERIFY(defs.value(u"frames"_s) != defs.value(u"frames_2"_s));
        static const QRegularExpression safe(u"^[A-Za-z0-9_-]+$"_s);
        for (const QString &name : defs.keys())
            QVERIFY2(safe.match(name).hasMatch(), qPrintable(name));
        QCOMPARE(McpSchema::resolveDefinitions(shared), schema);
    }

    void getResultMapsShrink()
    {
        // The maps and their series snapshots share most of their shape: written once, they take
        // little more than half the bytes, and resolve to exactly what McpRunJson wrote.
        const QJsonObject schema = mapsAndSeries();
        QVERIFY(repeatedComposites(schema) > 3);
        const QJsonObject shared = McpSchema::shareDefinitions(schema);
        QCOMPARE(repeatedComposites(shared), 0);
        QVERIFY2(sizeOf(shared) * 10 < sizeOf(schema) * 6,
            qPrintable(u"%1 bytes shared, %2 as written"_s.arg(sizeOf(shared)).arg(sizeOf(schema))));
        QCOMPARE(McpSchema::resolveDefinitions(shared), schema);
        // Sharing twice changes nothing more.
        QCOMPARE(McpSchema::shareDefinitions(shared), shared);
    }

    void everyMapIsOneDefinition()
    {
        // A host's map, a series snapshot, a merged map and a conflicting host's own map are all
        // the one map schema: written once and referred to, so a client compiles it once.
        QJsonObject properties = mapsAndSeries().value(u"properties"_s).toObject();
        properties.insert(u"fleet"_s, McpRunJson::fleetSchema());
        const QJsonObject shared = McpSchema::shareDefinitions(McpSchema::outputSchema(properties, {}));
        const QJsonObject p = shared.value(u"properties"_s).toObject();
        const QJsonValue map = p.value(u"maps"_s).toObject().value(u"additionalProperties"_s);
        QVERIFY(map.toObject().value(u"$ref"_s).toString().startsWith(u"#/$defs/"_s));
        const QJsonObject defs = shared.value(u"$defs"_s).toObject();
        auto resolve = [&defs](const QJsonValue &v) {
            const QString ref = v.toObject().value(u"$ref"_s).toString();
            return ref.startsWith(u"#/$defs/"_s) ? defs.value(ref.mid(8)).toObject() : v.toObject();
        };
        const QJsonObject series = resolve(p.value(u"series"_s).toObject().value(u"additionalProperties"_s));
        const QJsonObject snapshot
            = resolve(resolve(series.value(u"properties"_s).toObject().value(u"snapshots"_s)).value(u"items"_s));
        QCOMPARE(snapshot.value(u"allOf"_s).toArray().first(), map);
        const QJsonObject fleetMaps
            = resolve(resolve(p.value(u"fleet"_s)).value(u"properties"_s).toObject().value(u"maps"_s));
        const QJsonObject merged = resolve(fleetMaps.value(u"additionalProperties"_s));
        const QJsonArray parts = merged.value(u"allOf"_s).toArray();
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts.first(), map);
        const QJsonObject perHost
            = resolve(parts.last().toObject().value(u"properties"_s).toObject().value(u"per_host"_s));
        QCOMPARE(perHost.value(u"additionalProperties"_s), map);
        // The merged map adds its own members and requires them; the shared one requires "kind".
        QCOMPARE(resolve(parts.last()).value(u"required"_s).toArray(), (QJsonArray { u"merge"_s, u"reported_by"_s }));
        QCOMPARE(resolve(map).value(u"required"_s).toArray(), QJsonArray { u"kind"_s });
    }

    void brokenReferencesResolveToNothing()
    {
        const QJsonObject missing
            = McpSchema::outputSchema({ { u"a"_s, QJsonObject { { u"$ref"_s, u"#/$defs/none"_s } } } }, {});
        QVERIFY(McpSchema::resolveDefinitions(missing).isEmpty());
        const QJsonObject remote = McpSchema::outputSchema(
            { { u"a"_s, QJsonObject { { u"$ref"_s, u"https://example.com/schema.json"_s } } } }, {});
        QVERIFY(McpSchema::resolveDefinitions(remote).isEmpty());
        QJsonObject cycle = McpSchema::outputSchema({ { u"a"_s, QJsonObject { { u"$ref"_s, u"#/$defs/x"_s } } } }, {});
        cycle.insert(u"$defs"_s,
            QJsonObject { { u"x"_s, object({ { u"next"_s, QJsonObject { { u"$ref"_s, u"#/$defs/y"_s } } } }) },
                { u"y"_s, object({ { u"next"_s, QJsonObject { { u"$ref"_s, u"#/$defs/x"_s } } } }) } });
        QVERIFY(McpSchema::resolveDefinitions(cycle).isEmpty());
    }

    void contentIdFollowsTheContent()
    {
        const QJsonObject schema = McpSchema::shareDefinitions(mapsAndSeries());
        const QJsonObject named = McpSchema::withContentId(schema, u"get_result.output"_s);
        const QString id = named.value(u"$id"_s).toString();
        static const QRegularExpression form(u"^urn:tracedesk:schema:get_result\\.output:[0-9a-f]{16}$"_s);
        QVERIFY2(form.match(id).hasMatch(), qPrintable(id));
        QJsonObject withoutId = named;
        withoutId.remove(u"$id"_s);
        QCOMPARE(withoutId, schema);
        // The same content has the same id (an id already there does not count) ...
        QCOMPARE(McpSchema::withContentId(named, u"get_result.output"_s), named);
        QCOMPARE(McpSchema::withContentId(schema, u"get_result.output"_s), named);
        // ... and any change of it, a description too, makes another.
        QJsonObject changed = schema;
        changed.insert(u"description"_s, u"x"_s);
        QVERIFY(McpSchema::withContentId(changed, u"get_result.output"_s).value(u"$id"_s).toString() != id);
        QVERIFY(McpSchema::withContentId(schema, u"other.output"_s).value(u"$id"_s).toString() != id);
    }
};

QTEST_GUILESS_MAIN(TestMcpSchema)
#include "tst_mcpschema.moc"
