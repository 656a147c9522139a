# SPDX-License-Identifier: GPL-2.0-or-later
# Precompiled Qt headers for the three big libraries: most of a cold build is the compiler reading
# the same Qt headers again for every file. Each library gets its own header set, so the engine's
# stays Qt::Core only (a widget or network include there must still fail to compile).
option(TRACEDESK_PCH "Precompile the Qt headers of the engine, MCP and UI libraries" ON)

set(_tracedesk_pch_core
    <QObject> <QString> <QStringList> <QList> <QHash> <QByteArray> <QJsonObject> <QJsonArray>
    <QJsonDocument> <QFile> <QFileInfo> <QDir> <QTimer> <QPointer> <QRegularExpression>
    <QCoreApplication> <QLoggingCategory> <QDateTime> <QProcess>
    <algorithm> <functional> <memory> <optional>)
set(_tracedesk_pch_network <QLocalServer> <QLocalSocket> <QTcpServer> <QTcpSocket> <QHostAddress>)
set(_tracedesk_pch_widgets
    <QWidget> <QLabel> <QPushButton> <QToolButton> <QLineEdit> <QPlainTextEdit> <QBoxLayout>
    <QHeaderView> <QTreeView> <QSplitter> <QScrollBar> <QPainter> <QAbstractTableModel>
    <QKeyEvent> <QTextDocument> <QTextBlock> <QLocale> <QColor>)

# tracedesk_precompile_qt(TARGET [NETWORK] [WIDGETS]): the core set, plus Qt Network and/or Widgets.
function(tracedesk_precompile_qt target)
    if(NOT TRACEDESK_PCH)
        return()
    endif()
    cmake_parse_arguments(ARG "NETWORK;WIDGETS" "" "" ${ARGN})
    set(headers ${_tracedesk_pch_core})
    if(ARG_NETWORK)
        list(APPEND headers ${_tracedesk_pch_network})
    endif()
    if(ARG_WIDGETS)
        list(APPEND headers ${_tracedesk_pch_widgets})
    endif()
    target_precompile_headers(${target} PRIVATE ${headers})
    if(_tracedesk_pch_ccache AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${target} PRIVATE -fpch-preprocess)
    endif()
endfunction()

# ccache caches compiles that use a precompiled header only when told that the header's macros
# and __TIME__ may be trusted, and (GCC) when the preprocessed text names the header it came from.
if(TRACEDESK_PCH AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "(^|/)ccache$")
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_CXX_COMPILER_LAUNCHER} sloppiness=pch_defines,time_macros)
    set(_tracedesk_pch_ccache ON)
endif()
