// SPDX-License-Identifier: GPL-2.0-or-later
// The English plural forms are installed at start, and every message of tracedesk_en.ts comes
// out right for one and for many.
#include <QCoreApplication>
#include <QFile>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;

class TestTranslations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void pluralForms_data()
    {
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("source");
        QTest::addColumn<QStringList>("forms");
        QFile file(QStringLiteral(TRACEDESK_SOURCE_DIR "/resources/translations/tracedesk_en.ts"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QString context;
        QString source;
        QStringList forms;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == "name"_L1) {
                context = xml.readElementText();
            } else if (xml.name() == "source"_L1) {
                source = xml.readElementText();
                forms.clear();
            } else if (xml.name() == "numerusform"_L1) {
                forms.append(xml.readElementText());
                if (forms.size() == 2)
                    QTest::newRow(qPrintable(context + u": "_s + source)) << context << source << forms;
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    }

    void pluralForms()
    {
        QFETCH(QString, context);
        QFETCH(QString, source);
        QFETCH(QStringList, forms);
        const QByteArray c = context.toUtf8();
        const QByteArray s = source.toUtf8();
        QVERIFY(source.contains(u"%n"_s));
        QCOMPARE(QCoreApplication::translate(c.constData(), s.constData(), "", 1),
            QString(forms.at(0)).replace(u"%n"_s, u"1"_s));
        QCOMPARE(QCoreApplication::translate(c.constData(), s.constData(), "", 3),
            QString(forms.at(1)).replace(u"%n"_s, u"3"_s));
        QCOMPARE(QCoreApplication::translate(c.constData(), s.constData(), "", 0),
            QString(forms.at(1)).replace(u"%n"_s, u"0"_s));
    }

    void installedAtStart()
    {
        // Nothing installs them by hand: the start-up function did, or tr() would say "1 requests".
        QCOMPARE(QCoreApplication::translate("MainWindow", "%n requests waiting", "", 1), u"1 request waiting"_s);
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
