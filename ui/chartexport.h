// SPDX-License-Identifier: GPL-2.0-or-later
// Exports people can use elsewhere: CSV of tables and series (RFC 4180), PNG and SVG of charts.
// The SVG is written here by hand (rects, polylines, paths, text): Qt Svg is not a dependency.
#pragma once

#include <QString>
#include <QStringList>

class MapResult;
class MapSeries;
class QAbstractItemModel;
class QWidget;

namespace ChartExport {
/// Where a save dialog starts: the person's documents folder with `fileName` in it (never the
/// working directory, which is the source tree when run from a checkout).
QString savePath(const QString &fileName);

/// One CSV field: quoted when it holds a comma, a quote, a line break or leading/trailing space;
/// quotes inside doubled.
QString csvField(const QString &field);
/// Fields joined by commas, ended by CRLF.
QString csvRow(const QStringList &fields);
/// The model's header and rows, the text of `role` per cell (raw numbers, not locale-formatted,
/// when the model has such a role).
QString modelCsv(const QAbstractItemModel *model, int role);
/// Every snapshot of the series: time_s, one column per key part, then the value columns
/// (value; count,average,total for stats; bucket_min,bucket_max,count for histograms).
QString seriesCsv(const MapSeries &series);
/// One map the same way, without the time column (a histogram as a row per bucket).
QString mapCsv(const MapResult &map);

/// Text for an SVG (or any XML) document: markup characters as entities, and what XML 1.0 cannot
/// hold at all (controls, U+FFFE, U+FFFF) as U+FFFD, since traced names may carry anything.
QString xmlEscaped(const QString &text);

/// The widget as SVG: what its paintEvent draws, recorded as SVG elements.
QString widgetSvg(QWidget *widget);

/// Writes `text` (UTF-8) atomically.
bool writeText(const QString &path, const QString &text, QString *error);
/// .svg: widgetSvg(); anything else: a PNG of the widget as shown.
bool writeImage(QWidget *widget, const QString &path, QString *error);
} // namespace ChartExport
