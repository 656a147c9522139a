// SPDX-License-Identifier: GPL-2.0-or-later
// The compiled-in window icon (tracedesk_appicon): every size is there, is a real PNG of that
// size rendered from the SVG, and is not blank.
#include <QFile>
#include <QImage>
#include <QTest>

using namespace Qt::StringLiterals;

class TestAppIcon : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void embedded_data()
    {
        QTest::addColumn<int>("size");
        for (int size : { 16, 32, 48, 64, 128, 256 })
            QTest::addRow("%dx%d", size, size) << size;
    }

    void embedded()
    {
        QFETCH(int, size);
        const QString path = u":/org.tracedesk.TraceDesk/icons/%1x%1.png"_s.arg(size);
        QVERIFY2(QFile::exists(path), qPrintable(path));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(size, size));
        QVERIFY(image.hasAlphaChannel());
        // Rounded corners are transparent, the middle of the console body is opaque.
        QCOMPARE(qAlpha(image.pixel(0, 0)), 0);
        QCOMPARE(qAlpha(image.pixel(size / 2, size / 2)), 255);
    }
};

QTEST_GUILESS_MAIN(TestAppIcon)
#include "tst_appicon.moc"
