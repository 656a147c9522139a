// SPDX-License-Identifier: GPL-2.0-or-later
#include "chartdata.h"
#include "uitestsupport.h"

#include "ui/chartexport.h"
#include "ui/heatmapwidget.h"
#include "ui/maptablemodel.h"
#include "ui/timeserieschart.h"

#include <QFile>
#include <QImage>
#include <QStandardPaths>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;

namespace {
// RFC 4180 read back, as a spreadsheet would: quoted fields may hold commas, quotes ("") and
// line breaks; records end with CRLF.
QList<QStringList> readCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            record.append(field);
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty())
        records.append(record << field);
    return records;
}

QString readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

MapSeries opens()
{
    return ChartData::series(u"@opens"_s,
        { { 1000, ChartData::counts(u"@opens"_s, { { u"/etc/a,b"_s, 3 }, { u"say \"hi\""_s, 1 } }) },
            { 2500, ChartData::counts(u"@opens"_s, { { u"/etc/a,b"_s, 5 }, { u"<b>&amp;</b>"_s, 2 } }) } });
}
} // namespace

class TestChartExport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void quotesFields()
    {
        QCOMPARE(ChartExport::csvField(u"plain"_s), u"plain"_s);
        QCOMPARE(ChartExport::csvField(u"a,b"_s), u"\"a,b\""_s);
        QCOMPARE(ChartExport::csvField(u"say \"hi\""_s), u"\"say \"\"hi\"\"\""_s);
        QCOMPARE(ChartExport::csvField(u"two\nlines"_s), u"\"two\nlines\""_s);
        QCOMPARE(ChartExport::csvRow({ u"a"_s, u"b,c"_s, QString() }), u"a,\"b,c\",\r\n"_s);
        // A traced name a spreadsheet would run as a formula stays text; numbers stay numbers.
        QCOMPARE(ChartExport::csvField(u"=HYPERLINK(\"http://x\")"_s), u"\"'=HYPERLINK(\"\"http://x\"\")\""_s);
        QCOMPARE(ChartExport::csvField(u"@SUM(A1)"_s), u"'@SUM(A1)"_s);
        QCOMPARE(ChartExport::csvField(u"+cmd"_s), u"'+cmd"_s);
        QCOMPARE(ChartExport::csvField(u"-42"_s), u"-42"_s);
        QCOMPARE(ChartExport::csvField(u"-1.5e3"_s), u"-1.5e3"_s);
    }

    void tableReadsBack()
    {
        MapTableModel model;
        const MapResult map = ChartData::counts(u"@x"_s, { { u"x"_s, 1 } });
        MapKeyPart stack;
        stack.type = MapKeyPart::Type::Stack;
        stack.stack.frames = { { u"vfs_read"_s, 187, {}, 0 }, { u"ksys_read"_s, 12, {}, 0 } };
        const QList<MapEntry> entries {
            { MapKey { { { MapKeyPart::Type::Text, u"a,\"b\""_s, 0, {} }, stack } }, MapValue::fromJson(123456) },
            { MapKey { { { MapKeyPart::Type::Text, u"plain"_s, 0, {} }, stack } }, MapValue::fromJson(7) },
        };
        model.setMap(map, entries);
        const QList<QStringList> rows = readCsv(ChartExport::modelCsv(&model, MapTableModel::ExportRole));
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0), (QStringList { u"Key 1 (text)"_s, u"Key 2 (stack)"_s, u"Value"_s }));
        // Raw numbers (no digit grouping), the whole stack in one field.
        QCOMPARE(rows.at(1), (QStringList { u"a,\"b\""_s, u"vfs_read+187\nksys_read+12"_s, u"123456"_s }));
        QCOMPARE(rows.at(2).at(0), u"plain"_s);
    }

    void seriesReadsBack()
    {
        const QList<QStringList> rows = readCsv(ChartExport::seriesCsv(opens()));
        QCOMPARE(rows.size(), 5);
        QCOMPARE(rows.at(0), (QStringList { u"time_s"_s, u"key"_s, u"value"_s }));
        QVERIFY(rows.contains(QStringList { u"1.000"_s, u"/etc/a,b"_s, u"3"_s }));
        QVERIFY(rows.contains(QStringList { u"1.000"_s, u"say \"hi\""_s, u"1"_s }));
        QVERIFY(rows.contains(QStringList { u"2.500"_s, u"/etc/a,b"_s, u"5"_s }));

        const MapSeries hist = ChartData::series(u"@h"_s,
            { { 1000, ChartData::histogram(u"@h"_s, { { 0, 0, 3 }, { 2, 3, 4 } }) },
                { 2000, ChartData::histogram(u"@h"_s, { { 2, 3, 1 } }) } });
        const QList<QStringList> buckets = readCsv(ChartExport::seriesCsv(hist));
        QCOMPARE(buckets.at(0), (QStringList { u"time_s"_s, u"bucket_min"_s, u"bucket_max"_s, u"count"_s }));
        QCOMPARE(buckets.at(2), (QStringList { u"1.000"_s, u"2"_s, u"3"_s, u"4"_s }));
        QCOMPARE(buckets.size(), 4);
        // One map alone: the same without the time.
        QCOMPARE(readCsv(ChartExport::mapCsv(hist.snapshots.at(1).map)),
            (QList<QStringList> { { u"bucket_min"_s, u"bucket_max"_s, u"count"_s }, { u"2"_s, u"3"_s, u"1"_s } }));
    }

    void svgIsWellFormedWithTheKeys()
    {
        TimeSeriesChart chart;
        chart.resize(640, 320);
        chart.setSeries(opens());
        const QString svg = ChartExport::widgetSvg(&chart);
        QXmlStreamReader xml(svg);
        int polylines = 0;
        int rects = 0;
        QStringList texts;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == "polyline"_L1)
                ++polylines;
            else if (xml.name() == "rect"_L1)
                ++rects;
            else if (xml.name() == "text"_L1)
                texts.append(xml.readElementText());
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(polylines, 3); // one per key
        QVERIFY(rects >= 1); // the background
        // Traced text arrives as text, escaped on the way and read back as it was.
        QVERIFY(texts.contains(u"<b>&amp;</b>"_s));
        QVERIFY(texts.contains(u"Seconds since the run started"_s));
        QVERIFY(svg.startsWith(u"<?xml"_s));
        QVERIFY(svg.contains(u"width=\"640\" height=\"320\""_s));

        HeatmapWidget heatmap;
        heatmap.resize(500, 300);
        heatmap.setSeries(ChartData::series(u"@h"_s,
            { { 1000, ChartData::histogram(u"@h"_s, { { 0, 0, 3 } }) },
                { 2000, ChartData::histogram(u"@h"_s, { { 0, 0, 9 } }) } }));
        QXmlStreamReader heat(ChartExport::widgetSvg(&heatmap));
        int heatRects = 0;
        int stops = 0;
        while (!heat.atEnd()) {
            if (heat.readNext() != QXmlStreamReader::StartElement)
                continue;
            heatRects += heat.name() == "rect"_L1 ? 1 : 0;
            stops += heat.name() == "stop"_L1 ? 1 : 0;
        }
        QVERIFY2(!heat.hasError(), qPrintable(heat.errorString()));
        QVERIFY(heatRects >= 3); // two cells, the plot, the scale
        QVERIFY(stops >= 2); // the colour scale is a gradient, not one colour
    }

    void writesFilesThatLoad()
    {
        QTemporaryDir dir;
        TimeSeriesChart chart;
        chart.resize(400, 250);
        chart.setSeries(opens());
        QString error;
        const QString png = dir.filePath(u"chart.png"_s);
        QVERIFY2(ChartExport::writeImage(&chart, png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), chart.size() * chart.devicePixelRatio());
        const QString svg = dir.filePath(u"chart.svg"_s);
        QVERIFY2(ChartExport::writeImage(&chart, svg, &error), qPrintable(error));
        QVERIFY(readFile(svg).contains(u"<polyline"_s));
        QVERIFY(!ChartExport::writeText(dir.filePath(u"missing/x.csv"_s), u"a"_s, &error));
        QVERIFY(!error.isEmpty());
    }

    void dialogsStartInDocuments()
    {
        const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        QVERIFY(!documents.isEmpty());
        QCOMPARE(ChartExport::savePath(u"run-maps.json"_s), documents + u"/run-maps.json"_s);
    }
};

QTEST_MAIN(TestChartExport)
#include "tst_chartexport.moc"
