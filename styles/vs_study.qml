<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: each area's rate against the study-area rate,
     by its 95% interval (field vs_study). -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="categorizedSymbol" attr="vs_study" forceraster="0" symbollevels="0" enableorderby="0">
    <categories>
<!--rows-->      <category symbol="{{i}}" value="{{value}}" label="{{label}}" render="true"/>
<!--/rows-->    </categories>
    <symbols>
<!--rows-->      <symbol type="fill" name="{{i}}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="{{fill_style}}"/>
          <prop k="color" v="{{color}}"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="110,110,110,255"/>
          <prop k="outline_width" v="0.26"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
<!--/rows-->    </symbols>
  </renderer-v2>
  <mapTip>&lt;b&gt;[% "area_name" %]&lt;/b&gt;&lt;br&gt;[% format_number("rate", 2) %] per 1,000 residents (95% interval [% format_number("rate_low", 2) %] to [% format_number("rate_high", 2) %])&lt;br&gt;Study area: [% format_number("study_rate", 2) %] per 1,000 residents; this area is [% "vs_study" %]</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
