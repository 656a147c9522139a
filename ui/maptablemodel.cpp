// SPDX-License-Identifier: GPL-2.0-or-later
#include "maptablemodel.h"

#include <QJsonArray>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace {
bool isStatsObject(const QJsonValue &value)
{
    const QJsonObject o = value.toObject();
    return value.isObject() && o.contains("count"_L1) && o.contains("average"_L1) && o.contains("total"_L1);
}
} // namespace

MapTableModel::MapTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void MapTableModel::setMap(const QString &name, const QJsonObject &entry)
{
    beginResetModel();
    m_name = name;
    m_rows.clear();
    const QString kind = entry.value("kind"_L1).toString();
    const QJsonValue data = entry.value("data"_L1);
    m_stats = kind == "stats"_L1 || isStatsObject(data)
        || (data.isObject() && !data.toObject().isEmpty() && isStatsObject(data.toObject().begin().value()));
    auto addRow = [this](const QString &key, const QJsonValue &value) {
        Row row { key, {} };
        if (m_stats) {
            const QJsonObject o = value.toObject();
            row.values = { o.value("count"_L1), o.value("average"_L1), o.value("total"_L1) };
        } else {
            row.values = { value };
        }
        m_rows.append(row);
    };
    if (m_stats && isStatsObject(data))
        addRow(name, data);
    else if (data.isObject()) {
        const QJsonObject o = data.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            addRow(it.key(), it.value());
    } else if (!data.isUndefined() && !data.isNull())
        addRow(name, data);
    endResetModel();
}

QString MapTableModel::valueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        return QString::number(d, 'g', 15);
    }
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &v : value.toArray())
            parts.append(valueText(v));
        return u"("_s + parts.join(u", "_s) + u')';
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts.append(it.key() + u": "_s + valueText(it.value()));
        return u"{ "_s + parts.join(u", "_s) + u" }"_s;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

int MapTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int MapTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : (m_stats ? 4 : 2);
}

QVariant MapTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (index.column() == 0) {
        if (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole)
            return row.key;
        return {};
    }
    const QJsonValue value = row.values.value(index.column() - 1);
    switch (role) {
    case Qt::DisplayRole:
        if (value.isDouble() && value.toDouble() == double(qint64(value.toDouble())))
            return QLocale().toString(qint64(value.toDouble()));
        return valueText(value);
    case SortRole:
        if (value.isDouble())
            return value.toDouble();
        return valueText(value);
    case Qt::TextAlignmentRole:
        if (value.isDouble())
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant MapTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (section == 0)
        return tr("Key");
    if (!m_stats)
        return section == 1 ? QVariant(tr("Value")) : QVariant();
    switch (section) {
    case 1:
        return tr("Count");
    case 2:
        return tr("Average");
    case 3:
        return tr("Total");
    }
    return {};
}
