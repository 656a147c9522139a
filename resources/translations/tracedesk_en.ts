<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- SPDX-License-Identifier: GPL-2.0-or-later -->
<!-- English plural forms: the source texts say "%n probes"; this gives "1 probe". Every tr("...%n...", "", n)
     of the window, the terminal and the engine has its two forms here (tests/engine/tst_translations.cpp checks). -->
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AnalysisSummary</name>
    <message numerus="yes">
        <source>Attaches to %n probes</source>
        <translation>
            <numerusform>Attaches to %n probe</numerusform>
            <numerusform>Attaches to %n probes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n probe specs</source>
        <translation>
            <numerusform>%n probe spec</numerusform>
            <numerusform>%n probe specs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n errors</source>
        <translation>
            <numerusform>%n error</numerusform>
            <numerusform>%n errors</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ApprovalPanel</name>
    <message numerus="yes">
        <source>%n AI requests waiting for your decision</source>
        <translation>
            <numerusform>%n AI request waiting for your decision</numerusform>
            <numerusform>%n AI requests waiting for your decision</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>It would run for at most %n seconds.</source>
        <translation>
            <numerusform>It would run for at most %n second.</numerusform>
            <numerusform>It would run for at most %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EndpointPanel</name>
    <message numerus="yes">
        <source>Listening on the local socket and on HTTP. %n clients connected.</source>
        <translation>
            <numerusform>Listening on the local socket and on HTTP. %n client connected.</numerusform>
            <numerusform>Listening on the local socket and on HTTP. %n clients connected.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Listening on the local socket (HTTP off). %n clients connected.</source>
        <translation>
            <numerusform>Listening on the local socket (HTTP off). %n client connected.</numerusform>
            <numerusform>Listening on the local socket (HTTP off). %n clients connected.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FindReplaceBar</name>
    <message numerus="yes">
        <source>%n matches</source>
        <translation>
            <numerusform>%n match</numerusform>
            <numerusform>%n matches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Replaced %n</source>
        <translation>
            <numerusform>Replaced %n</numerusform>
            <numerusform>Replaced %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HeatmapWidget</name>
    <message numerus="yes">
        <source>Sum of all %n keys</source>
        <translation>
            <numerusform>%n key (the only one)</numerusform>
            <numerusform>Sum of all %n keys</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%n clients</source>
        <translation>
            <numerusform>%n client</numerusform>
            <numerusform>%n clients</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n requests waiting</source>
        <translation>
            <numerusform>%n request waiting</numerusform>
            <numerusform>%n requests waiting</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FleetMapsView</name>
    <message numerus="yes">
        <source>Merged over %1 of %n hosts</source>
        <translation>
            <numerusform>Merged over %1 of %n host</numerusform>
            <numerusform>Merged over %1 of %n hosts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n maps could not be merged</source>
        <translation>
            <numerusform>%n map could not be merged</numerusform>
            <numerusform>%n maps could not be merged</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MapsView</name>
    <message numerus="yes">
        <source>%n more keys: open the map to see each.</source>
        <translation>
            <numerusform>%n more key: open the map to see it.</numerusform>
            <numerusform>%n more keys: open the map to see each.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProbeTreeModel</name>
    <message numerus="yes">
        <source>%n probes</source>
        <translation>
            <numerusform>%n probe</numerusform>
            <numerusform>%n probes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RunView</name>
    <message numerus="yes">
        <source>%n hosts</source>
        <translation>
            <numerusform>%n host</numerusform>
            <numerusform>%n hosts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n probes attached</source>
        <translation>
            <numerusform>%n probe attached</numerusform>
            <numerusform>%n probes attached</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ScriptCompleter</name>
    <message numerus="yes">
        <source>Matches %n probes</source>
        <translation>
            <numerusform>Matches %n probe</numerusform>
            <numerusform>Matches %n probes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ScriptCompletion</name>
    <message numerus="yes">
        <source>%n probes</source>
        <translation>
            <numerusform>%n probe</numerusform>
            <numerusform>%n probes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ScriptEditor</name>
    <message numerus="yes">
        <source>%1 (and %n more errors)</source>
        <translation>
            <numerusform>%1 (and %n more error)</numerusform>
            <numerusform>%1 (and %n more errors)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TargetSelector</name>
    <message numerus="yes">
        <source>%1 (%n targets)</source>
        <translation>
            <numerusform>%1 (%n target)</numerusform>
            <numerusform>%1 (%n targets)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TerminalApprover</name>
    <message numerus="yes">
        <source>%n more requests waiting.</source>
        <translation>
            <numerusform>%n more request waiting.</numerusform>
            <numerusform>%n more requests waiting.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TimeSeriesChart</name>
    <message numerus="yes">
        <source>other (%n keys)</source>
        <translation>
            <numerusform>other (%n key)</numerusform>
            <numerusform>other (%n keys)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The sum of the %n keys not drawn on their own.</source>
        <translation>
            <numerusform>The %n key not drawn on its own.</numerusform>
            <numerusform>The sum of the %n keys not drawn on their own.</numerusform>
        </translation>
    </message>
</context>
</TS>
