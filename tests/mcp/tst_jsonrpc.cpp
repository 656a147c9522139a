// SPDX-License-Identifier: GPL-2.0-or-later
// JsonRpc: message validation, error codes and line framing.
#include "mcp/jsonrpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

class TestJsonRpc : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void framing_data();
    void framing();
    void resyncAfterOversize();
    void parse_data();
    void parse();
    void validate_data();
    void validate();
    void responses();
};

// Each row feeds chunks to the reader; the expectation lists what comes out, "!" for Oversize.
void TestJsonRpc::framing_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<QList<QByteArray>>("expected");
    QTest::addColumn<qint64>("pending");

    QTest::newRow("one line") << QList<QByteArray> { "{\"a\":1}\n" } << QList<QByteArray> { "{\"a\":1}" } << qint64(0);
    QTest::newRow("partial line") << QList<QByteArray> { "{\"a\":" } << QList<QByteArray> {} << qint64(5);
    QTest::newRow("partial then rest") << QList<QByteArray> { "{\"a\":", "1}\n" } << QList<QByteArray> { "{\"a\":1}" }
                                       << qint64(0);
    QTest::newRow("two in one read") << QList<QByteArray> { "{\"a\":1}\n{\"b\":2}\n" }
                                     << QList<QByteArray> { "{\"a\":1}", "{\"b\":2}" } << qint64(0);
    QTest::newRow("two and a half") << QList<QByteArray> { "{\"a\":1}\n{\"b\":2}\n{\"c\"" }
                                    << QList<QByteArray> { "{\"a\":1}", "{\"b\":2}" } << qint64(4);
    QTest::newRow("crlf") << QList<QByteArray> { "{}\r\n" } << QList<QByteArray> { "{}" } << qint64(0);
    QTest::newRow("blank lines skipped") << QList<QByteArray> { "\n\r\n  \n{}\n" } << QList<QByteArray> { "{}" }
                                         << qint64(0);
    QTest::newRow("byte by byte") << QList<QByteArray> { "{", "}", "\n", "[", "]", "\n" }
                                  << QList<QByteArray> { "{}", "[]" } << qint64(0);
    QTest::newRow("garbage passes framing")
        << QList<QByteArray> { "\x01\x02garbage\n" } << QList<QByteArray> { "\x01\x02garbage" } << qint64(0);
    QTest::newRow("invalid utf-8 passes framing")
        << QList<QByteArray> { "{\"a\":\"\xff\xfe\"}\n" } << QList<QByteArray> { "{\"a\":\"\xff\xfe\"}" } << qint64(0);
    // Limit is 64 bytes in this test.
    QTest::newRow("oversize in one read")
        << QList<QByteArray> { QByteArray(100, 'x') + "\n{}\n" } << QList<QByteArray> { "!", "{}" } << qint64(0);
    QTest::newRow("oversize across reads")
        << QList<QByteArray> { QByteArray(40, 'x'), QByteArray(40, 'x'), QByteArray(40, 'x'), "\n{}\n" }
        << QList<QByteArray> { "!", "{}" } << qint64(0);
    QTest::newRow("exactly the limit") << QList<QByteArray> { QByteArray(64, 'y') + '\n' }
                                       << QList<QByteArray> { QByteArray(64, 'y') } << qint64(0);
    QTest::newRow("one over the limit") << QList<QByteArray> { QByteArray(65, 'y') + '\n', "{}\n" }
                                        << QList<QByteArray> { "!", "{}" } << qint64(0);
}

void TestJsonRpc::framing()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(QList<QByteArray>, expected);
    QFETCH(qint64, pending);

    JsonRpcLineReader reader(64);
    QList<QByteArray> got;
    for (const QByteArray &chunk : chunks) {
        const auto items = reader.feed(chunk);
        for (const auto &item : items)
            got.append(item.kind == JsonRpcLineReader::Item::Kind::Oversize ? QByteArray("!") : item.line);
        QVERIFY(reader.pendingBytes() <= 64);
    }
    QCOMPARE(got, expected);
    QCOMPARE(reader.pendingBytes(), pending);
}

void TestJsonRpc::resyncAfterOversize()
{
    JsonRpcLineReader reader(16);
    auto items = reader.feed(QByteArray(1000, 'z'));
    QCOMPARE(items.size(), 1);
    QCOMPARE(items[0].kind, JsonRpcLineReader::Item::Kind::Oversize);
    QVERIFY(reader.isDiscarding());
    // Still inside the long line: more bytes neither produce items nor accumulate.
    items = reader.feed(QByteArray(1000, 'z'));
    QVERIFY(items.isEmpty());
    QCOMPARE(reader.pendingBytes(), 0);
    items = reader.feed("zz\n{\"ok\":1}\n");
    QCOMPARE(items.size(), 1);
    QCOMPARE(items[0].line, QByteArray("{\"ok\":1}"));
    QVERIFY(!reader.isDiscarding());
}

void TestJsonRpc::parse_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("ok");

    QTest::newRow("object") << QByteArray("{\"jsonrpc\":\"2.0\"}") << true;
    QTest::newRow("array") << QByteArray("[{}]") << true;
    QTest::newRow("garbage") << QByteArray("hello") << false;
    QTest::newRow("half message") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"meth") << false;
    QTest::newRow("trailing garbage") << QByteArray("{} x") << false;
    QTest::newRow("number") << QByteArray("42") << false;
    QTest::newRow("string") << QByteArray("\"x\"") << false;
    QTest::newRow("invalid utf-8") << QByteArray("{\"a\":\"\xc3\x28\"}") << false;
    QTest::newRow("overlong utf-8") << QByteArray("{\"a\":\"\xc0\xaf\"}") << false;
    QTest::newRow("valid utf-8") << QByteArray("{\"a\":\"gr\xc3\xbc\xc3\x9f\"}") << true;
    QTest::newRow("deep nesting") << QByteArray(5000, '[') + QByteArray(5000, ']') << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void TestJsonRpc::parse()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, ok);
    const JsonRpc::ParseResult result = JsonRpc::parse(bytes);
    QCOMPARE(result.ok, ok);
    if (!ok) {
        QCOMPARE(result.errorCode, int(JsonRpc::ParseError));
        QVERIFY(!result.errorMessage.isEmpty());
    }
}

void TestJsonRpc::validate_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("errorCode");
    QTest::addColumn<QJsonValue>("id");

    using K = JsonRpcMessage::Kind;
    const QJsonValue null(QJsonValue::Null);
    QTest::newRow("request") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping"})") << int(K::Request) << 0
                             << QJsonValue(1);
    QTest::newRow("string id") << QByteArray(R"({"jsonrpc":"2.0","id":"a","method":"ping","params":{}})")
                               << int(K::Request) << 0 << QJsonValue(u"a"_s);
    QTest::newRow("notification") << QByteArray(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
                                  << int(K::Notification) << 0 << QJsonValue();
    QTest::newRow("response") << QByteArray(R"({"jsonrpc":"2.0","id":3,"result":{}})") << int(K::Response) << 0
                              << QJsonValue();
    QTest::newRow("error response with null id")
        << QByteArray(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}})") << int(K::Response) << 0
        << QJsonValue();
    QTest::newRow("null id") << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})") << int(K::Invalid)
                             << int(JsonRpc::InvalidRequest) << null;
    QTest::newRow("bool id") << QByteArray(R"({"jsonrpc":"2.0","id":true,"method":"ping"})") << int(K::Invalid)
                             << int(JsonRpc::InvalidRequest) << null;
    QTest::newRow("object id") << QByteArray(R"({"jsonrpc":"2.0","id":{},"method":"ping"})") << int(K::Invalid)
                               << int(JsonRpc::InvalidRequest) << null;
    QTest::newRow("fractional id") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})") << int(K::Invalid)
                                   << int(JsonRpc::InvalidRequest) << null;
    QTest::newRow("missing jsonrpc") << QByteArray(R"({"id":7,"method":"ping"})") << int(K::Invalid)
                                     << int(JsonRpc::InvalidRequest) << QJsonValue(7);
    QTest::newRow("wrong jsonrpc") << QByteArray(R"({"jsonrpc":"1.0","id":7,"method":"ping"})") << int(K::Invalid)
                                   << int(JsonRpc::InvalidRequest) << QJsonValue(7);
    QTest::newRow("method not a string") << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":5})") << int(K::Invalid)
                                         << int(JsonRpc::InvalidRequest) << QJsonValue(2);
    QTest::newRow("params a string") << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":"x","params":"p"})")
                                     << int(K::Invalid) << int(JsonRpc::InvalidRequest) << QJsonValue(2);
    QTest::newRow("params an array") << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":"x","params":[1]})")
                                     << int(K::Invalid) << int(JsonRpc::InvalidParams) << QJsonValue(2);
    QTest::newRow("method and result") << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":"x","result":{}})")
                                       << int(K::Invalid) << int(JsonRpc::InvalidRequest) << QJsonValue(2);
    QTest::newRow("result and error") << QByteArray(
        R"({"jsonrpc":"2.0","id":2,"result":{},"error":{"code":1,"message":""}})")
                                      << int(K::Invalid) << int(JsonRpc::InvalidRequest) << QJsonValue(2);
    QTest::newRow("nothing") << QByteArray(R"({"jsonrpc":"2.0","id":2})") << int(K::Invalid)
                             << int(JsonRpc::InvalidRequest) << QJsonValue(2);
}

void TestJsonRpc::validate()
{
    QFETCH(QByteArray, json);
    QFETCH(int, kind);
    QFETCH(int, errorCode);
    QFETCH(QJsonValue, id);

    const JsonRpc::ParseResult parsed = JsonRpc::parse(json);
    QVERIFY(parsed.ok);
    const JsonRpcMessage message = JsonRpcMessage::fromJson(parsed.value);
    QCOMPARE(int(message.kind), kind);
    QCOMPARE(message.errorCode, errorCode);
    if (kind == int(JsonRpcMessage::Kind::Request) || kind == int(JsonRpcMessage::Kind::Invalid)) {
        // The error answer carries the id when it could be read, else null.
        const QJsonObject answer = JsonRpc::errorResponse(message.id, 1, u"x"_s);
        QCOMPARE(answer.value(u"id"_s), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id);
    }
}

void TestJsonRpc::responses()
{
    const QByteArray bytes = JsonRpc::serialize(
        JsonRpc::errorResponse(QJsonValue(u"r1"_s), JsonRpc::MethodNotFound, u"Method not found: x\nwith newline"_s));
    QVERIFY(!bytes.contains('\n')); // framing relies on compact JSON never containing a newline
    const QJsonObject object = QJsonDocument::fromJson(bytes).object();
    QCOMPARE(object.value(u"jsonrpc"_s).toString(), u"2.0"_s);
    QCOMPARE(object.value(u"id"_s).toString(), u"r1"_s);
    QCOMPARE(object.value(u"error"_s).toObject().value(u"code"_s).toInt(), -32601);
    QCOMPARE(JsonRpc::idKey(QJsonValue(12)), u"n:12"_s);
    QCOMPARE(JsonRpc::idKey(QJsonValue(u"12"_s)), u"s:12"_s);
    QVERIFY(JsonRpc::idKey(QJsonValue(QJsonValue::Null)).isEmpty());
}

QTEST_GUILESS_MAIN(TestJsonRpc)
#include "tst_jsonrpc.moc"
