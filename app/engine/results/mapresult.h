// SPDX-License-Identifier: GPL-2.0-or-later
// The typed value of one bpftrace map: a scalar, a keyed map whose keys have parts, a histogram
// or stats. Parsed once from bpftrace's `-f json` output; the window and MCP render from it.
#pragma once

#include "engine/results/histogram.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <variant>

/// One frame of a call stack as bpftrace printed it: "vfs_read+187", "0xffffffff81000000",
/// "main+12 (/usr/bin/bash)" (perf mode prints the address first).
struct StackFrame
{
    QString symbol; ///< "vfs_read"; the address text when bpftrace could not resolve it
    qint64 offset = -1; ///< 187; -1 when none was printed
    QString module; ///< "/usr/bin/bash" when bpftrace printed one
    quint64 address = 0; ///< when bpftrace printed one (perf mode, or an unresolved frame)

    /// The frame the way a person reads it: "vfs_read+187", "main+12 (/usr/bin/bash)".
    QString text() const;
    bool operator==(const StackFrame &) const = default;
};

/// A kstack or ustack, innermost frame first (as bpftrace prints it).
struct CallStack
{
    enum class Space
    {
        Kernel,
        User,
    };
    Space space = Space::Kernel;
    QList<StackFrame> frames;

    /// From bpftrace's printed form: each frame after a newline and indentation (in `-f json`
    /// the newlines arrive as the two characters backslash and n; both forms are read).
    /// Frames read: "sym+off", an unresolved "0x7f..." (symbol is the address text, address set),
    /// perf mode's "ffffffff8100 sym+off" and "7f12ab sym+off (/path)" (address, then module).
    /// bpftrace's "([unknown])" module is left out: it says nothing.
    static CallStack parse(const QString &printed, Space space);
    /// "kernel" or "user", the names both front doors use.
    QString spaceName() const { return space == Space::Kernel ? QStringLiteral("kernel") : QStringLiteral("user"); }
    /// The printed form again, one frame per line after "\n" as bpftrace's JSON writes it.
    QString text() const;
    bool operator==(const CallStack &) const = default;
};

/// One part of a map key. bpftrace's JSON writes a tuple key as one comma-joined string and
/// gives no types; the key types from the script's AST split it into typed parts.
struct MapKeyPart
{
    enum class Type
    {
        Text,
        Integer,
        Stack,
    };
    Type type = Type::Text;
    QString text; ///< as bpftrace printed it
    qint64 integer = 0; ///< for Integer
    CallStack stack; ///< for Stack

    /// The part type for one of bpftrace's key types ("int64", "uint32" -> Integer; "kstack",
    /// "ustack" -> Stack; "string[16]", "ksym", "inet", anything else -> Text).
    static Type typeFor(const QString &bpftraceType);
    /// "string", "integer", "stack": the names both front doors use.
    static QString typeName(Type type);
    bool operator==(const MapKeyPart &) const = default;
};

struct MapKey
{
    QList<MapKeyPart> parts;
    /// Several text parts with commas in them could not be told apart: they are kept together as
    /// one text part (the script's key had more parts than `parts` holds).
    bool ambiguous = false;

    /// The key as bpftrace printed it (parts joined with ","), the text both front doors show.
    QString text() const;
    /// One text part holding all of `text`.
    static MapKey fromText(const QString &text);
    /// Splits bpftrace's comma-joined key by the key types from the script's AST (one per part,
    /// in order, e.g. {"string[16]", "ustack", "uint32"}). Integers and stacks delimit
    /// themselves (a stack runs from its leading "\\n" to the "\\n" before the next comma, so C++
    /// symbols with commas stay whole); text parts take what is between them. When several text
    /// parts meet and the commas between them do not number exactly one fewer than the parts,
    /// the span stays one text part and `ambiguous` is set. Without key types (no AST, or a
    /// history file from before they were kept) the key is split at commas outside stacks, a
    /// part led by "\\n" being a stack and one of digits an integer.
    static MapKey parse(const QString &text, const QStringList &keyTypes = {});
    /// The first stack part, nullptr when there is none.
    const MapKeyPart *stackPart() const;
    bool operator==(const MapKey &) const = default;
};

/// count/sum/min/max values and avg() or stats() results.
struct StatsValue
{
    qint64 count = 0;
    qint64 average = 0;
    qint64 total = 0;

    static bool isStatsJson(const QJsonValue &value);
    static StatsValue fromJson(const QJsonObject &object);
    QJsonObject toJson() const;
    bool operator==(const StatsValue &) const = default;
};

/// One value of a map (the value of a scalar map, or of one key).
class MapValue
{
public:
    enum class Type
    {
        Empty,
        Integer,
        Real,
        Text,
        Stats,
        Histogram,
        Other, ///< a tuple or anything else bpftrace may print; kept as JSON
    };

    MapValue() = default;
    static MapValue fromJson(const QJsonValue &value);
    static MapValue fromHistogram(Histogram histogram);
    /// Typed values made directly (merged results): no trip through JSON's doubles, which would
    /// round integers past 2^53.
    static MapValue fromInteger(qint64 value);
    static MapValue fromReal(double value);
    static MapValue fromStats(StatsValue stats);

    Type type() const;
    bool isNumber() const { return type() == Type::Integer || type() == Type::Real; }
    qint64 integer() const;
    double number() const; ///< Integer or Real as a double; 0 otherwise
    QString string() const;
    const StatsValue *stats() const { return std::get_if<StatsValue>(&m_value); }
    const Histogram *histogram() const { return std::get_if<Histogram>(&m_value); }

    /// The number the entry is ranked by: the value, or the count of stats; 0 when neither.
    double weight() const;
    /// The one text rendering of a value: integers without exponent or grouping, reals with 15
    /// significant digits, tuples as "(a, b)", stats as "count 2, average 15, total 30".
    QString text() const;
    /// The value as bpftrace printed it (stats and histograms in their JSON form).
    QJsonValue toJson() const;

    bool operator==(const MapValue &) const = default;

private:
    std::variant<std::monostate, qint64, double, QString, StatsValue, Histogram, QJsonValue> m_value;
};

struct MapEntry
{
    MapKey key;
    MapValue value;
    bool operator==(const MapEntry &) const = default;
};

/// One bpftrace map (@name) at one moment.
class MapResult
{
public:
    enum class Kind
    {
        Map, ///< count(), sum(), min(), max(), plain assignments
        Histogram, ///< hist() or lhist(): see histogramScale()
        Stats, ///< avg() and stats()
        Value, ///< print() of a non-map value
    };

    MapResult() = default;
    /// From one map of a bpftrace output line: `type` is the line's "type" ("map", "hist",
    /// "lhist", "stats", "value"), `data` the map's value in it.
    /// `keyTypes` are the script's key types for this map (see MapKey::parse); empty: guessed.
    static MapResult fromBpftraceJson(
        const QString &name, const QString &type, const QJsonValue &data, const QStringList &keyTypes = {});
    /// A map the script declares that bpftrace never printed (it prints only maps with entries):
    /// keyed and without entries, its kind from the AST's value type ("hist_t", "count_t", ...).
    static MapResult emptyMap(const QString &name, const QString &valueType, bool keyed);
    /// The stored form: {"kind": the type bpftrace printed, "data": ...} with data as bpftrace
    /// prints it, so it reads back to the same map (a bare value
    /// is read as a plain map, as the first history files wrote it).
    /// The stored form also carries "keyTypes" when they were known.
    static MapResult fromJson(const QString &name, const QJsonValue &stored);
    /// A keyed map holding `entries` as given: for tests and synthetic data that build typed keys
    /// (stack parts) directly rather than through bpftrace's JSON.
    static MapResult fromEntries(
        const QString &name, Kind kind, QList<MapEntry> entries, const QStringList &keyTypes = {});
    /// A map without keys holding `value` (merged results build these from typed values).
    static MapResult fromValue(const QString &name, Kind kind, MapValue value);
    QJsonObject toJson() const;

    QString name() const { return m_name; }
    Kind kind() const { return m_kind; }
    /// "map", "hist", "lhist", "stats", "value": the kind name both front doors show. An lhist
    /// that bpftrace 0.23 printed as "hist" is "lhist" here.
    QString kindName() const;
    bool isHistogram() const { return m_kind == Kind::Histogram; }
    bool isStats() const { return m_kind == Kind::Stats; }

    /// A map without keys holds one value; a keyed map holds entries (in bpftrace's order).
    bool isKeyed() const { return m_keyed; }
    const MapValue &value() const { return m_value; }
    const QList<MapEntry> &entries() const { return m_entries; }
    qsizetype entryCount() const { return m_keyed ? m_entries.size() : 1; }
    /// No entries (a keyed map) or no value: "no entries".
    bool isEmpty() const { return m_keyed ? m_entries.isEmpty() : m_value.type() == MapValue::Type::Empty; }

    /// The key types the keys were split by (empty: they were guessed, see MapKey::parse).
    QStringList keyTypes() const { return m_keyTypes; }
    /// Splits every key again by these key types (nothing to do when they are the ones in use).
    void setKeyTypes(const QStringList &keyTypes);
    /// Some key has a stack part (the flame graph and top_stacks read these maps).
    bool hasStackKey() const;
    /// A rough figure of the memory the map holds, for the caps on kept series.
    qint64 estimatedBytes() const;

    /// Entries largest first (by weight, stable), at most `limit` (-1: all).
    QList<MapEntry> entriesByWeight(qsizetype limit = -1) const;

    /// The map as bpftrace's text output would print it (for export).
    QString toText() const;

    bool operator==(const MapResult &) const = default;

private:
    QString m_name;
    QString m_sourceType; ///< the "type" bpftrace printed; kept so the stored form is what it printed
    Kind m_kind = Kind::Map;
    bool m_keyed = false;
    MapValue m_value;
    QList<MapEntry> m_entries;
    QStringList m_keyTypes;
};
