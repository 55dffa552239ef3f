<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: rate per 1,000 residents, diverging around the
     study-area rate ({{study}}); the class bounds are fixed multiples of
     it, so maps of different boards and months compare. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="graduatedSymbol" attr="rate" graduatedMethod="GraduatedColor" forceraster="0" symbollevels="0" enableorderby="0">
    <ranges>
<!--rows-->      <range symbol="{{i}}" lower="{{lower}}" upper="{{upper}}" label="{{label}}" render="true"/>
<!--/rows-->    </ranges>
    <symbols>
<!--rows-->      <symbol type="fill" name="{{i}}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="solid"/>
          <prop k="color" v="{{color}}"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="110,110,110,255"/>
          <prop k="outline_width" v="0.26"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
<!--/rows-->    </symbols>
    <classificationMethod id="Custom">
      <symmetricMode enabled="0" symmetrypoint="0" astride="0"/>
      <labelFormat format="%1 - %2" labelprecision="2" trimtrailingzeroes="1"/>
    </classificationMethod>
  </renderer-v2>
  <mapTip>&lt;b&gt;[% "area_name" %]&lt;/b&gt;&lt;br&gt;[% format_number("rate", 2) %] per 1,000 residents (95% interval [% format_number("rate_low", 2) %] to [% format_number("rate_high", 2) %]); study area [% format_number("study_rate", 2) %]&lt;br&gt;[% "count" %] incidents, [% format_number("count_per_km2", 1) %] incidents per km²&lt;br&gt;Compared with the study area: [% "vs_study" %]&lt;br&gt;Change: [% "change_flag" %]</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
