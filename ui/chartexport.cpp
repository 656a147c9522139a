// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/chartexport.h"

#include "engine/results/mapseries.h"

#include <QAbstractItemModel>
#include <QCoreApplication>
#include <QDir>
#include <QPaintEngine>
#include <QPainterPath>
#include <QSaveFile>
#include <QStandardPaths>
#include <QWidget>

#include <climits>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {

QString number(double value)
{
    return QString::number(value, 'g', 6);
}

QString colorAttributes(const QString &name, const QColor &color)
{
    QString text = u" %1=\"%2\""_s.arg(name, color.name(QColor::HexRgb));
    if (color.alpha() < 255)
        text += u" %1=\"%2\""_s.arg(
            name == "stop-color"_L1 ? u"stop-opacity"_s : name + u"-opacity"_s, number(color.alphaF()));
    return text;
}

// Records what QPainter draws as SVG elements, in device coordinates.
class SvgPaintEngine : public QPaintEngine
{
public:
    SvgPaintEngine()
        : QPaintEngine(AllFeatures)
    { }

    bool begin(QPaintDevice *) override { return true; }
    bool end() override { return true; }
    Type type() const override { return QPaintEngine::User; }

    void updateState(const QPaintEngineState &state) override
    {
        const QPaintEngine::DirtyFlags flags = state.state();
        if (flags & DirtyPen)
            m_pen = state.pen();
        if (flags & DirtyBrush)
            m_brush = state.brush();
        if (flags & DirtyFont)
            m_font = state.font();
        if (flags & DirtyTransform)
            m_transform = state.transform();
        if (flags & DirtyBrushOrigin)
            m_brushOrigin = state.brushOrigin();
    }

    void drawRects(const QRectF *rects, int count) override
    {
        for (int i = 0; i < count; ++i) {
            const QRectF &rect = rects[i];
            if (m_transform.type() <= QTransform::TxScale) {
                const QRectF mapped = m_transform.mapRect(rect);
                m_body += u"<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\"%5/>\n"_s.arg(number(mapped.x()),
                    number(mapped.y()), number(mapped.width()), number(mapped.height()), style(true));
            } else {
                const QPolygonF polygon(rect);
                drawPolygon(polygon.constData(), int(polygon.size()), OddEvenMode);
            }
        }
    }
    void drawRects(const QRect *rects, int count) override
    {
        for (int i = 0; i < count; ++i) {
            const QRectF rect(rects[i]);
            drawRects(&rect, 1);
        }
    }

    void drawLines(const QLineF *lines, int count) override
    {
        for (int i = 0; i < count; ++i) {
            const QLineF line = m_transform.map(lines[i]);
            m_body += u"<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%4\"%5/>\n"_s.arg(
                number(line.x1()), number(line.y1()), number(line.x2()), number(line.y2()), style(false));
        }
    }
    void drawLines(const QLine *lines, int count) override
    {
        for (int i = 0; i < count; ++i) {
            const QLineF line(lines[i]);
            drawLines(&line, 1);
        }
    }

    void drawPolygon(const QPointF *points, int count, PolygonDrawMode mode) override
    {
        QString list;
        for (int i = 0; i < count; ++i) {
            const QPointF p = m_transform.map(points[i]);
            list += number(p.x()) + u',' + number(p.y()) + u' ';
        }
        list.chop(1);
        const bool polyline = mode == PolylineMode;
        m_body += u"<%1 points=\"%2\"%3/>\n"_s.arg(polyline ? u"polyline"_s : u"polygon"_s, list, style(!polyline));
    }
    void drawPolygon(const QPoint *points, int count, PolygonDrawMode mode) override
    {
        QPolygonF polygon;
        for (int i = 0; i < count; ++i)
            polygon.append(points[i]);
        drawPolygon(polygon.constData(), int(polygon.size()), mode);
    }

    void drawPath(const QPainterPath &path) override
    {
        QString d;
        const QList<QPolygonF> polygons = path.toSubpathPolygons(m_transform);
        for (const QPolygonF &polygon : polygons) {
            for (int i = 0; i < polygon.size(); ++i)
                d += (i ? u'L' : u'M') + number(polygon.at(i).x()) + u',' + number(polygon.at(i).y()) + u' ';
            d += u"Z "_s;
        }
        if (!d.isEmpty())
            m_body += u"<path d=\"%1\"%2/>\n"_s.arg(d.trimmed(), style(true));
    }

    void drawTextItem(const QPointF &p, const QTextItem &textItem) override
    {
        const QPointF at = m_transform.map(p);
        const QFont font = textItem.font();
        const double pixels = font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF() * 96.0 / 72.0;
        QString attributes = u" x=\"%1\" y=\"%2\" font-family=\"%3\" font-size=\"%4\""_s.arg(
            number(at.x()), number(at.y()), ChartExport::xmlEscaped(font.family()), number(pixels));
        if (font.bold())
            attributes += u" font-weight=\"bold\""_s;
        if (m_transform.isRotating()) {
            const double angle = qRadiansToDegrees(std::atan2(m_transform.m12(), m_transform.m11()));
            attributes += u" transform=\"rotate(%1 %2 %3)\""_s.arg(number(angle), number(at.x()), number(at.y()));
        }
        m_body += u"<text%1%2 xml:space=\"preserve\">%3</text>\n"_s.arg(
            attributes, colorAttributes(u"fill"_s, m_pen.color()), ChartExport::xmlEscaped(textItem.text()));
    }

    void drawPixmap(const QRectF &, const QPixmap &, const QRectF &) override
    {
        // Charts draw no pixmaps that carry data (icons at most); SVG keeps to vectors.
    }

    QString body() const { return m_body; }

private:
    QString style(bool fill) const
    {
        QString text;
        if (fill && m_brush.style() == Qt::LinearGradientPattern) {
            text += u" fill=\"url(#%1)\""_s.arg(
                linearGradient(*static_cast<const QLinearGradient *>(m_brush.gradient())));
        } else if (fill && m_brush.style() != Qt::NoBrush) {
            QColor color = m_brush.color();
            if (const QGradient *gradient = m_brush.gradient(); gradient && !gradient->stops().isEmpty())
                color = gradient->stops().constFirst().second;
            text += colorAttributes(u"fill"_s, color);
        } else {
            text += u" fill=\"none\""_s;
        }
        if (m_pen.style() == Qt::NoPen) {
            text += u" stroke=\"none\""_s;
        } else {
            const double width = m_pen.widthF() > 0 ? m_pen.widthF() : 1.0;
            text += colorAttributes(u"stroke"_s, m_pen.color()) + u" stroke-width=\"%1\""_s.arg(number(width));
            if (m_pen.style() != Qt::SolidLine)
                text += u" stroke-dasharray=\"%1,%1\""_s.arg(number(3 * width));
        }
        return text;
    }

    // A colour scale: the gradient as an SVG definition in device coordinates, by its id.
    QString linearGradient(const QLinearGradient &gradient) const
    {
        const QString id = u"gradient%1"_s.arg(m_gradients++);
        const QPointF start = m_transform.map(gradient.start());
        const QPointF stop = m_transform.map(gradient.finalStop());
        m_body += u"<defs><linearGradient id=\"%1\" gradientUnits=\"userSpaceOnUse\" x1=\"%2\" y1=\"%3\" x2=\"%4\" "
                  "y2=\"%5\">"_s.arg(id, number(start.x()), number(start.y()), number(stop.x()), number(stop.y()));
        for (const auto &[position, color] : gradient.stops())
            m_body += u"<stop offset=\"%1\"%2/>"_s.arg(number(position), colorAttributes(u"stop-color"_s, color));
        m_body += u"</linearGradient></defs>\n"_s;
        return id;
    }

    mutable int m_gradients = 0;
    QPen m_pen;
    QBrush m_brush;
    QFont m_font;
    QTransform m_transform;
    QPointF m_brushOrigin;
    mutable QString m_body;
};

class SvgPaintDevice : public QPaintDevice
{
public:
    SvgPaintDevice(QSize size, int dpi)
        : m_size(size)
        , m_dpi(dpi)
    { }
    QPaintEngine *paintEngine() const override { return &m_engine; }
    QString body() const { return m_engine.body(); }

protected:
    int metric(PaintDeviceMetric metric) const override
    {
        switch (metric) {
        case PdmWidth:
            return m_size.width();
        case PdmHeight:
            return m_size.height();
        case PdmWidthMM:
            return m_size.width() * 254 / (10 * m_dpi);
        case PdmHeightMM:
            return m_size.height() * 254 / (10 * m_dpi);
        case PdmNumColors:
            return INT_MAX;
        case PdmDepth:
            return 32;
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY:
            return m_dpi;
        case PdmDevicePixelRatio:
            return 1;
        case PdmDevicePixelRatioScaled:
            return int(devicePixelRatioFScale());
        case PdmDevicePixelRatioF_EncodedA:
        case PdmDevicePixelRatioF_EncodedB:
            return QPaintDevice::metric(metric);
        }
        return 0;
    }

private:
    QSize m_size;
    int m_dpi;
    mutable SvgPaintEngine m_engine;
};

} // namespace

namespace ChartExport {

QString xmlEscaped(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size());
    for (const QChar c : text) {
        switch (c.unicode()) {
        case u'&':
            escaped += "&amp;"_L1;
            break;
        case u'<':
            escaped += "&lt;"_L1;
            break;
        case u'>':
            escaped += "&gt;"_L1;
            break;
        case u'"':
            escaped += "&quot;"_L1;
            break;
        case u'\'':
            escaped += "&apos;"_L1;
            break;
        case u'\n':
            escaped += "&#10;"_L1;
            break;
        default:
            // XML 1.0 allows no other control characters, not even as references.
            if (c.unicode() < 0x20 || c.unicode() == 0xfffe || c.unicode() == 0xffff)
                escaped += u'\ufffd';
            else
                escaped += c;
        }
    }
    return escaped;
}

QString savePath(const QString &fileName)
{
    QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (documents.isEmpty())
        documents = QDir::homePath();
    return QDir(documents).filePath(fileName);
}

QString csvField(const QString &field)
{
    // Traced text (a process name, a path) that a spreadsheet would run as a formula is kept
    // text with a leading apostrophe; plain numbers, negative ones included, stay numbers.
    static const QString formulaStarts = u"=+-@\t\r"_s;
    if (!field.isEmpty() && formulaStarts.contains(field.front())) {
        bool number = false;
        field.toDouble(&number);
        if (!number)
            return csvField(u'\'' + field);
    }
    const bool quote = field.contains(u',') || field.contains(u'"') || field.contains(u'\n') || field.contains(u'\r')
        || field.startsWith(u' ') || field.endsWith(u' ');
    if (!quote)
        return field;
    QString escaped = field;
    escaped.replace(u"\""_s, u"\"\""_s);
    return u'"' + escaped + u'"';
}

QString csvRow(const QStringList &fields)
{
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString &field : fields)
        quoted.append(csvField(field));
    return quoted.join(u',') + u"\r\n"_s;
}

QString modelCsv(const QAbstractItemModel *model, int role)
{
    QString out;
    QStringList header;
    for (int column = 0; column < model->columnCount(); ++column)
        header.append(model->headerData(column, Qt::Horizontal).toString());
    out += csvRow(header);
    for (int row = 0; row < model->rowCount(); ++row) {
        QStringList fields;
        for (int column = 0; column < model->columnCount(); ++column)
            fields.append(model->index(row, column).data(role).toString());
        out += csvRow(fields);
    }
    return out;
}

namespace {
// The rows of maps: time_s (for a series) and one column per key part, then the value columns
// (value; count,average,total for stats; bucket_min,bucket_max,count for histograms).
QString mapsCsv(const QList<MapSnapshot> &snapshots, bool withTime)
{
    qsizetype keyParts = 0;
    bool histogram = false;
    bool stats = false;
    for (const MapSnapshot &snapshot : snapshots) {
        histogram = histogram || snapshot.map.isHistogram();
        stats = stats || snapshot.map.isStats();
        for (const MapEntry &entry : snapshot.map.entries())
            keyParts = qMax(keyParts, entry.key.parts.size());
    }
    QStringList header;
    if (withTime)
        header.append(u"time_s"_s);
    for (qsizetype i = 0; i < keyParts; ++i)
        header.append(keyParts == 1 ? u"key"_s : u"key%1"_s.arg(i + 1));
    if (histogram)
        header << u"bucket_min"_s << u"bucket_max"_s << u"count"_s;
    else if (stats)
        header << u"count"_s << u"average"_s << u"total"_s;
    else
        header << u"value"_s;
    QString out = csvRow(header);

    auto valueRows = [&out](const QStringList &prefix, const MapValue &value) {
        if (const Histogram *h = value.histogram()) {
            // An open bound (the underflow or overflow bucket) is an empty field.
            for (const HistogramBucket &bucket : h->buckets()) {
                out += csvRow(QStringList(prefix)
                    << (bucket.min ? QString::number(*bucket.min) : QString())
                    << (bucket.max ? QString::number(*bucket.max) : QString()) << QString::number(bucket.count));
            }
        } else if (const StatsValue *s = value.stats()) {
            out += csvRow(QStringList(prefix)
                << QString::number(s->count) << QString::number(s->average) << QString::number(s->total));
        } else if (value.type() != MapValue::Type::Empty) {
            out += csvRow(QStringList(prefix) << value.text());
        }
    };
    for (const MapSnapshot &snapshot : snapshots) {
        QStringList time;
        if (withTime)
            time.append(QString::number(double(snapshot.msSinceStart) / 1000.0, 'f', 3));
        if (!snapshot.map.isKeyed()) {
            QStringList prefix = time;
            for (qsizetype i = 0; i < keyParts; ++i)
                prefix.append(QString());
            valueRows(prefix, snapshot.map.value());
            continue;
        }
        for (const MapEntry &entry : snapshot.map.entries()) {
            QStringList prefix = time;
            for (qsizetype i = 0; i < keyParts; ++i) {
                const MapKeyPart *part = i < entry.key.parts.size() ? &entry.key.parts.at(i) : nullptr;
                // A stack as its frames, one per line inside the quoted field, innermost first.
                if (part && part->type == MapKeyPart::Type::Stack) {
                    QStringList frames;
                    for (const StackFrame &frame : part->stack.frames)
                        frames.append(frame.text());
                    prefix.append(frames.join(u'\n'));
                } else if (part && part->type == MapKeyPart::Type::Integer) {
                    prefix.append(QString::number(part->integer));
                } else {
                    prefix.append(part ? part->text : QString());
                }
            }
            valueRows(prefix, entry.value);
        }
    }
    return out;
}
} // namespace

QString seriesCsv(const MapSeries &series)
{
    return mapsCsv(series.snapshots, true);
}

QString mapCsv(const MapResult &map)
{
    return mapsCsv({ MapSnapshot { 0, map } }, false);
}

QString widgetSvg(QWidget *widget)
{
    const QSize size = widget->size();
    SvgPaintDevice device(size, widget->logicalDpiY());
    widget->render(&device, QPoint(), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    return u"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%1\" height=\"%2\" "
           "viewBox=\"0 0 %1 %2\">\n%3</svg>\n"_s.arg(
               QString::number(size.width()), QString::number(size.height()), device.body());
}

bool writeText(const QString &path, const QString &text, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

bool writeImage(QWidget *widget, const QString &path, QString *error)
{
    if (path.endsWith(".svg"_L1, Qt::CaseInsensitive))
        return writeText(path, widgetSvg(widget), error);
    const QImage image = widget->grab().toImage();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        *error = file.errorString().isEmpty() ? QCoreApplication::translate("ChartExport", "could not encode the image")
                                              : file.errorString();
        return false;
    }
    return true;
}

} // namespace ChartExport
